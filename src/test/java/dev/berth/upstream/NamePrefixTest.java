package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.LATEST;
import static dev.berth.upstream.Fixtures.manifest;
import static dev.berth.support.MockHub.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.RepoName;
import dev.berth.support.MutableClock;
import dev.berth.upstream.UpstreamClient.Patience;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * An upstream URL with a path, such as a central berth's {@code http://central:5000/ghcr.io}: the path prefixes every
 * name asked there, in the request and in the token scope.
 */
class NamePrefixTest {
    private static final RepoName APP = RepoName.of("org/app");
    private static final String SCOPE = "repository:ghcr.io/org/app:pull";

    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer auth = new MockWebServer();

    @Test
    void thePathPrefixesTheNameAndItsScopeSoTheTokenGoesUpFrontNextTime() throws Exception {
        registry.enqueue(new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Bearer realm=\""
                + auth.url("/auth/token") + "\",service=\"berth\",scope=\"" + SCOPE + "\"").build());
        registry.enqueue(manifest());
        registry.enqueue(manifest());
        auth.enqueue(token("tok-1", 300));
        UpstreamClient client = Fixtures.client(Fixtures.config(registry.url("/ghcr.io/").toString(), null, null,
                Duration.ofSeconds(5)), new MutableClock(Fixtures.START));

        assertTrue(client.getManifest(APP, LATEST, 4096).isPresent());
        assertTrue(client.headManifest(APP, LATEST, Patience.FULL).isPresent());

        assertEquals("/v2/ghcr.io/org/app/manifests/latest", registry.takeRequest().getUrl().encodedPath());
        assertEquals(SCOPE, auth.takeRequest().getUrl().queryParameter("scope"));
        assertEquals("/v2/ghcr.io/org/app/manifests/latest", registry.takeRequest().getUrl().encodedPath());
        var head = registry.takeRequest();
        assertEquals("HEAD /v2/ghcr.io/org/app/manifests/latest", head.getMethod() + " "
                + head.getUrl().encodedPath());
        assertEquals("Bearer tok-1", head.getHeaders().get("Authorization"), "the prefixed scope's token up front");
        assertEquals(1, auth.getRequestCount());
    }
}
