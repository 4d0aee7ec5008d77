package dev.berth.mirror;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.LogCapture;
import dev.berth.support.MockHub;
import dev.berth.support.RegistryAssertions;
import dev.berth.support.Scrape;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * berth logging in to Docker Hub with configured credentials that Hub's token service refuses: an outage to report
 * and to answer 503 for, with a message and a warning per repository that say which settings to fix, not content
 * that does not exist.
 */
class UpstreamCredentialsTest extends MirrorTestBase {
    private static final String USER = "alice";
    private static final String PASSWORD = "s3cret-pw";

    @Override
    protected String mirrorYaml() {
        return "mirror:\n  upstreams:\n"
                + upstream("docker.io", hub.url(), true, "username: " + USER + ", password: " + PASSWORD + ", ");
    }

    @Test
    void refusedCredentialsAre503EveryTimeLoggedOnceAndShownInHealth() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        hub.credentials(USER, "another-password");
        try (LogCapture failures = LogCapture.of(UpstreamFailures.class.getName());
             LogCapture refusals = LogCapture.of(RefusedAccess.class.getName())) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<byte[]> r = client.get("/v2/busybox/manifests/latest");
                assertError(r, 503, "UNAVAILABLE");
                assertEquals("10", header(r, "Retry-After"));
                String detail = RegistryAssertions.json(r).path("errors").path(0).path("message").asText();
                assertTrue(detail.contains("refused berth's credentials")
                        && detail.contains("mirror.upstreams[].username and password"), detail);
                assertError(client.get(blobPath("busybox", image.config())), 503, "UNAVAILABLE");
            }
            assertEquals(6, authServer.getRequestCount(), "nothing remembered as absent: every request asks again");
            assertEquals(0, hub.served("HEAD", manifestPath(BUSYBOX, "latest")), hub.log()::toString);
            List<String> warnings = refusals.messages(Level.WARNING);
            assertEquals(1, warnings.size(), () -> "one warning per upstream and repository: " + warnings);
            assertTrue(warnings.get(0).startsWith("upstream docker.io refused berth's credentials for repository"
                    + " library/busybox (token service") && warnings.get(0).contains("answered 401")
                    && warnings.get(0).contains("check mirror.upstreams[].username and password"), warnings.get(0));
            assertFalse(refusals.text().contains("another-password") || refusals.text().contains(PASSWORD),
                    "a password in the log");
            assertEquals(List.of(), failures.messages(Level.WARNING), "the refusal is not logged twice");
            assertEquals(6.0, Scrape.of(client).value("berth_upstream_access_refused_total",
                    Map.of("registry", "docker.io")));
            String health = new String(client.get("/observe/health/ready").body());
            assertTrue(health.contains("DOWN: token service"), health);

            // Fixed at Hub's end: the content is served at once, with nothing negative cached in between.
            hub.credentials(USER, PASSWORD);
            assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
            assertEquals(List.of("upstream docker.io answers again"), failures.messages(Level.INFO));
        }
    }

    @Test
    void refusedCredentialsServeTheStaleTagAndUnknownRepositoriesStayAbsent() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        hub.image(BUSYBOX, "musl", 3);
        hub.credentials(USER, PASSWORD);
        hub.tokenLifetime(TAG_TTL);
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        // With a token, Hub's 401 for a repository it does not have still means absent.
        assertError(client.get("/v2/nosuch/manifests/latest"), 404, "MANIFEST_UNKNOWN");

        hub.credentials(USER, "changed-at-hub");
        clock.advance(TAG_TTL.plus(Duration.ofSeconds(1)));

        try (LogCapture refusals = LogCapture.of(RefusedAccess.class.getName())) {
            assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
            assertError(client.get("/v2/busybox/manifests/musl"), 503, "UNAVAILABLE");
            assertEquals(1, refusals.messages(Level.WARNING).size(), refusals.messages(Level.WARNING)::toString);
        }
    }
}
