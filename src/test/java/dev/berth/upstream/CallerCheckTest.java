package dev.berth.upstream;

import static dev.berth.support.MockHub.token;
import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.SCOPE;
import static dev.berth.upstream.Fixtures.bearerChallenge;
import static dev.berth.upstream.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okhttp3.Credentials;
import org.junit.jupiter.api.Test;

/**
 * {@link UpstreamClient#askAccess}: what a registry says of a caller's own login ({@code access: caller}), asked as a
 * client would, with the caller's credentials and never berth's.
 */
class CallerCheckTest {
    private static final String CAROL = Credentials.basic("carol", "carol-pw", StandardCharsets.UTF_8);

    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer auth = new MockWebServer();

    /** berth's own login at the registry is berth's: the check must never send it. */
    private AccessAnswer ask() {
        UpstreamClient client = Fixtures.client(Fixtures.config(registry, "berth", "berth-pw", Duration.ofSeconds(5)),
                new MutableClock(Fixtures.START));
        return client.askAccess(Optional.of(BUSYBOX), "carol", "carol-pw");
    }

    /** A JWT (unsigned: berth reads its claim, as it comes straight from the realm) with {@code access}. */
    private static MockResponse jwt(String access) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String token = b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"access\":" + access + "}").getBytes(StandardCharsets.UTF_8)) + ".c2ln";
        return token(token, 300);
    }

    @Test
    void theTokenServiceIsAskedWithTheCallersLoginForThePullScope() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(token("opaque", 300));
        registry.enqueue(new MockResponse.Builder().body("{\"name\":\"library/busybox\",\"tags\":[\"latest\"]}")
                .build());

        assertEquals(AccessAnswer.GRANTED, ask());
        RecordedRequest probe = registry.takeRequest();
        assertEquals("/v2/library/busybox/tags/list?n=1", probe.getUrl().encodedPath() + "?"
                + probe.getUrl().encodedQuery());
        assertNull(probe.getHeaders().get("Authorization"), "berth's own login is not sent");
        RecordedRequest tokenRequest = auth.takeRequest();
        assertEquals(SCOPE, tokenRequest.getUrl().queryParameter("scope"));
        assertEquals(CAROL, tokenRequest.getHeaders().get("Authorization"));
        assertEquals("Bearer opaque", registry.takeRequest().getHeaders().get("Authorization"),
                "an opaque token is tried on the tag list");
    }

    @Test
    void anOpaqueTokenTheRegistryRefusesIsADenial() {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(token("opaque", 300));
        registry.enqueue(bearerChallenge(auth));
        assertEquals(AccessAnswer.DENIED, ask());
    }

    @Test
    void aJwtAccessClaimDecidesWithoutAskingTheRegistryAgain() {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(jwt("[{\"type\":\"repository\",\"name\":\"library/busybox\",\"actions\":[\"pull\"]}]"));
        assertEquals(AccessAnswer.GRANTED, ask());
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(jwt("[{\"type\":\"repository\",\"name\":\"library/other\",\"actions\":[\"pull\"]}]"));
        assertEquals(AccessAnswer.DENIED, ask());
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(jwt("[]"));
        assertEquals(AccessAnswer.DENIED, ask());
        assertEquals(3, registry.getRequestCount(), "only the probes that find the challenge");
    }

    @Test
    void theTokenServiceRefusingTheLoginOrTheScope() {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(status(401));
        assertEquals(AccessAnswer.REFUSED, ask(), "401: a wrong user name or password");
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(status(403));
        assertEquals(AccessAnswer.DENIED, ask(), "403: a good login without this scope");
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(status(503));
        UpstreamException down = assertThrows(UpstreamException.class, this::ask);
        assertTrue(down.getMessage().startsWith("docker.io could not tell whether a caller's login may pull"),
                down.getMessage());
    }

    @Test
    void aBasicChallengeIsAnsweredWithTheLoginOnTheTagList() throws Exception {
        MockResponse basic = new MockResponse.Builder().code(401)
                .addHeader("WWW-Authenticate", "Basic realm=\"Registry Realm\"").build();
        registry.enqueue(basic);
        registry.enqueue(new MockResponse.Builder().body("{\"tags\":[]}").build());
        assertEquals(AccessAnswer.GRANTED, ask());
        registry.takeRequest();
        assertEquals(CAROL, registry.takeRequest().getHeaders().get("Authorization"));
        registry.enqueue(basic);
        registry.enqueue(basic);
        assertEquals(AccessAnswer.REFUSED, ask());
    }

    @Test
    void anUpstreamThatAsksNobodyToLogInGrantsAndOneThatFailsCannotTell() {
        registry.enqueue(new MockResponse.Builder().body("{\"tags\":[]}").build());
        assertEquals(AccessAnswer.GRANTED, ask());
        registry.enqueue(status(404));
        assertEquals(AccessAnswer.DENIED, ask(), "no such repository there, as far as this caller may know");
        registry.enqueue(status(500));
        assertEquals(500, assertThrows(UpstreamException.class, this::ask).status());
    }
}
