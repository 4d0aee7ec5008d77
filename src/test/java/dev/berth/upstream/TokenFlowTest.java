package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.LATEST;
import static dev.berth.upstream.Fixtures.SCOPE;
import static dev.berth.upstream.Fixtures.SERVICE;
import static dev.berth.upstream.Fixtures.bearerChallenge;
import static dev.berth.upstream.Fixtures.manifest;
import static dev.berth.support.MockHub.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The registry token flow against a Docker Hub look-alike (registry) and its token service (auth). */
class TokenFlowTest {
    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer auth = new MockWebServer();

    private final MutableClock clock = new MutableClock(Fixtures.START);

    @Test
    void anonymousChallengeFetchesTokenRetriesAndReusesIt() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        registry.enqueue(manifest());
        auth.enqueue(token("tok-1", 300));
        UpstreamClient client = Fixtures.client(Fixtures.config(registry), clock);

        assertTrue(client.getManifest(BUSYBOX, LATEST, 4096).isPresent());
        assertNull(registry.takeRequest().getHeaders().get("Authorization"));
        RecordedRequest tokenRequest = auth.takeRequest();
        assertEquals("/token", tokenRequest.getUrl().encodedPath());
        assertEquals(SERVICE, tokenRequest.getUrl().queryParameter("service"));
        assertEquals(SCOPE, tokenRequest.getUrl().queryParameter("scope"));
        assertNull(tokenRequest.getHeaders().get("Authorization"), "anonymous: no credentials to the token service");
        assertEquals("Bearer tok-1", registry.takeRequest().getHeaders().get("Authorization"));

        assertTrue(client.getManifest(BUSYBOX, LATEST, 4096).isPresent());
        assertEquals("Bearer tok-1", registry.takeRequest().getHeaders().get("Authorization"),
                "a cached token goes up front");
        assertEquals(3, registry.getRequestCount());
        assertEquals(1, auth.getRequestCount());
    }

    @Test
    void expiredTokenIsFetchedAgain() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        auth.enqueue(token("tok-1", 60));
        auth.enqueue(token("tok-2", 60));
        UpstreamClient client = Fixtures.client(Fixtures.config(registry), clock);

        client.getManifest(BUSYBOX, LATEST, 4096);
        clock.advance(Duration.ofSeconds(61));
        client.getManifest(BUSYBOX, LATEST, 4096);

        registry.takeRequest();
        registry.takeRequest();
        assertNull(registry.takeRequest().getHeaders().get("Authorization"), "an expired token is not sent");
        assertEquals("Bearer tok-2", registry.takeRequest().getHeaders().get("Authorization"));
        assertEquals(2, auth.getRequestCount());
    }

    @Test
    void tokenWithoutExpiryLastsTheDefaultMinute() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        registry.enqueue(manifest());
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        auth.enqueue(token("tok-1", 0));
        auth.enqueue(token("tok-2", 0));
        UpstreamClient client = Fixtures.client(Fixtures.config(registry), clock);

        client.getManifest(BUSYBOX, LATEST, 4096);
        clock.advance(Duration.ofSeconds(30));
        client.getManifest(BUSYBOX, LATEST, 4096);
        assertEquals(1, auth.getRequestCount(), "still fresh after 30 s");
        clock.advance(Duration.ofSeconds(30));
        client.getManifest(BUSYBOX, LATEST, 4096);
        assertEquals(2, auth.getRequestCount(), "stale after 60 s");
    }

    @Test
    void refusedCachedTokenIsRefreshedOnce() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        registry.enqueue(bearerChallenge(auth)); // tok-1 revoked upstream
        registry.enqueue(manifest());
        auth.enqueue(token("tok-1", 300));
        auth.enqueue(token("tok-2", 300));
        UpstreamClient client = Fixtures.client(Fixtures.config(registry), clock);

        client.getManifest(BUSYBOX, LATEST, 4096);
        assertTrue(client.getManifest(BUSYBOX, LATEST, 4096).isPresent());

        registry.takeRequest();
        registry.takeRequest();
        assertEquals("Bearer tok-1", registry.takeRequest().getHeaders().get("Authorization"));
        assertEquals("Bearer tok-2", registry.takeRequest().getHeaders().get("Authorization"));
        assertEquals(2, auth.getRequestCount());
    }

    @Test
    void secondChallengeIsAnUnauthorizedFailure() {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(token("tok-1", 300));
        UpstreamClient client = Fixtures.client(Fixtures.config(registry), clock);

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));
        assertEquals(401, e.status());
        assertEquals(2, registry.getRequestCount());
        assertEquals(1, auth.getRequestCount(), "at most one token fetch per request");
    }

    @Test
    void insufficientScopeWithAValidTokenIsNotRefreshed() {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        registry.enqueue(new MockResponse.Builder().code(401)
                .addHeader("WWW-Authenticate", "Bearer realm=\"" + auth.url("/token") + "\",service=\"" + SERVICE
                        + "\",scope=\"repository:library/nope:pull\",error=\"insufficient_scope\"")
                .build());
        auth.enqueue(token("tok-1", 300));
        UpstreamClient client = Fixtures.client(Fixtures.config(registry), clock);
        client.getManifest(BUSYBOX, LATEST, 4096);

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));
        assertEquals(401, e.status());
        assertEquals(3, registry.getRequestCount());
        assertEquals(1, auth.getRequestCount());
    }

    @Test
    void credentialsGoToTheTokenServiceAsBasic() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(manifest());
        auth.enqueue(token("tok-1", 300));
        UpstreamClient client = Fixtures.client(
                Fixtures.config(registry, "alice", "s3cret-pw", Duration.ofSeconds(5)), clock);

        client.getManifest(BUSYBOX, LATEST, 4096);

        assertEquals(Credentials.basic("alice", "s3cret-pw"), auth.takeRequest().getHeaders().get("Authorization"));
        registry.takeRequest();
        assertEquals("Bearer tok-1", registry.takeRequest().getHeaders().get("Authorization"),
                "the registry gets the token, not the password");
    }

    @Test
    void rejectedCredentialsFailWithoutRevealingThem() {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(new MockResponse.Builder().code(401).body("{\"details\":\"incorrect username or password\"}")
                .build());
        UpstreamClient client = Fixtures.client(
                Fixtures.config(registry, "alice", "s3cret-pw", Duration.ofSeconds(5)), clock);

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));
        assertEquals(401, e.status());
        assertTrue(e.authenticationFailed(), "the token service's 401, not the registry's");
        String basic = Credentials.basic("alice", "s3cret-pw");
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            assertFalse(message.contains("s3cret-pw"), message);
            assertFalse(message.contains(basic.substring("Basic ".length())), message);
        }
    }

    @Test
    void basicChallengeIsAnsweredAndThenSentUpFront() throws Exception {
        MockResponse basicChallenge = new MockResponse.Builder().code(401)
                .addHeader("WWW-Authenticate", "Basic realm=\"registry\"").build();
        registry.enqueue(basicChallenge);
        registry.enqueue(manifest());
        registry.enqueue(manifest());
        UpstreamClient client = Fixtures.client(
                Fixtures.config(registry, "alice", "s3cret-pw", Duration.ofSeconds(5)), clock);

        client.getManifest(BUSYBOX, LATEST, 4096);
        client.getManifest(BUSYBOX, LATEST, 4096);

        String basic = Credentials.basic("alice", "s3cret-pw");
        assertNull(registry.takeRequest().getHeaders().get("Authorization"));
        assertEquals(basic, registry.takeRequest().getHeaders().get("Authorization"));
        assertEquals(basic, registry.takeRequest().getHeaders().get("Authorization"));
        assertEquals(3, registry.getRequestCount());
        assertEquals(0, auth.getRequestCount());
    }

    @Test
    void anAnonymousTokenRefusedForAScopeMeansTheContentIsNotThere() {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(new MockResponse.Builder().code(403).build());
        RecordedEvents events = new RecordedEvents();
        UpstreamClient client = new UpstreamClient(Fixtures.config(registry), new OkHttpClient(), clock, events);

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));

        assertEquals(403, e.status());
        assertFalse(e.authenticationFailed(), "berth sent no credentials that could be wrong");
        assertEquals(List.of(403), events.statuses, "reported as the answer it was, not as an upstream error (0)");
    }

    @Test
    void refusedBasicCredentialsAreAnAuthenticationFailureNotAbsence() {
        MockResponse basicChallenge = new MockResponse.Builder().code(401)
                .addHeader("WWW-Authenticate", "Basic realm=\"registry\"").build();
        registry.enqueue(basicChallenge);
        registry.enqueue(basicChallenge);
        RecordedEvents events = new RecordedEvents();
        UpstreamClient client = new UpstreamClient(Fixtures.config(registry, "alice", "wrong-pw",
                Duration.ofSeconds(5)), new OkHttpClient(), clock, events);

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));

        assertEquals(401, e.status());
        assertTrue(e.authenticationFailed(), e.getMessage());
        assertEquals(List.of("docker.io"), events.refused, "reported, so berth_upstream_errors_total counts it");
        assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
        assertEquals(2, registry.getRequestCount(), "the credentials were tried once");
    }

    /** What the client reported of its traffic. */
    private static final class RecordedEvents implements UpstreamEvents {
        final List<Integer> statuses = new CopyOnWriteArrayList<>();
        final List<String> refused = new CopyOnWriteArrayList<>();

        @Override
        public void upstreamAnswered(String registry, int status) {
            statuses.add(status);
        }

        @Override
        public void credentialsRefused(String registry) {
            refused.add(registry);
        }
    }
}
