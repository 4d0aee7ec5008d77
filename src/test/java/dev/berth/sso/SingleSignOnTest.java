package dev.berth.sso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.auth.Accounts;
import dev.berth.auth.Principal;
import dev.berth.support.MutableClock;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Signing in through a provider, against a fake one: the request berth sends the browser with, the code exchange, and
 * each way a callback or an ID token can be wrong, refused with the status the page answers.
 */
class SingleSignOnTest {
    private static final String CALLBACK = "http://berth.test:5000/ui/sso/callback";
    private static final Accounts OWN = new Accounts() {
        @Override
        public boolean verify(String user, String password) {
            return false;
        }

        @Override
        public Optional<String> fingerprint(String user) {
            return user.equals("alice") ? Optional.of("f-alice") : Optional.empty();
        }
    };

    @StartStop
    public final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final byte[] key = new byte[32];
    private int takenRequests;
    private int jwksTaken;

    private FakeProvider provider() {
        return new FakeProvider(server);
    }

    private SingleSignOn sso(FakeProvider provider) {
        return new SingleSignOn(provider.config(Duration.ofSeconds(5)), OWN, Set.of("devs", "ops", "admins"), key,
                clock);
    }

    @Test
    void signInUsesPkceStateAndNonceAndGivesTheUserWithTheGroupsRulesName() throws Exception {
        FakeProvider provider = provider();
        SingleSignOn sso = sso(provider);

        SingleSignOn.Start start = sso.start(CALLBACK);
        Map<String, String> query = query(start.location());
        assertEquals(provider.issuer() + "/auth", start.location().toString().substring(0,
                start.location().toString().indexOf('?')));
        assertEquals("code", query.get("response_type"));
        assertEquals(FakeProvider.CLIENT, query.get("client_id"));
        assertEquals(CALLBACK, query.get("redirect_uri"));
        assertEquals("openid profile", query.get("scope"));
        assertEquals("S256", query.get("code_challenge_method"));
        assertTrue(query.get("state").length() >= 43, "state: 256 random bits");
        assertTrue(query.get("nonce").length() >= 43, "nonce: 256 random bits");
        assertFalse(start.cookie().contains(query.get("state")), "the cookie is sealed, not readable");

        provider.answers(FakeProvider.sign(provider.claims(query.get("nonce"), clock.instant()).build(),
                FakeProvider.KEY));
        Principal who = sso.finish(callback(query.get("state"), "the-code"), Optional.of(start.cookie()));

        assertEquals(Optional.of("carol"), who.user());
        assertEquals(Set.of("devs", "ops"), who.groups(), "Keycloak's /devs is devs; groups no rule names stay out");
        RecordedRequest exchange = takeTokenRequest();
        assertEquals("POST", exchange.getMethod());
        Map<String, String> form = form(exchange.getBody().utf8());
        assertEquals("authorization_code", form.get("grant_type"));
        assertEquals("the-code", form.get("code"));
        assertEquals(CALLBACK, form.get("redirect_uri"));
        byte[] challenge = MessageDigest.getInstance("SHA-256").digest(form.get("code_verifier")
                .getBytes(StandardCharsets.US_ASCII));
        assertEquals(query.get("code_challenge"), Base64.getUrlEncoder().withoutPadding().encodeToString(challenge),
                "the verifier sent with the code is the one the challenge was made from");
        assertEquals("Basic " + Base64.getEncoder().encodeToString(("berth:" + "s3cret%3Awith%2Fodd%2Bchars")
                .getBytes(StandardCharsets.UTF_8)), exchange.getHeaders().get("Authorization"),
                "client_secret_basic, each part form-encoded (RFC 6749, 2.3.1)");
        assertFalse(form.containsKey("client_secret"), "the secret goes in the header only");
        assertTrue(sso.signedIn(who));
        URI signOut = sso.signOut("http://berth.test/ui/").orElseThrow();
        assertEquals(provider.issuer() + "/logout", signOut.toString().substring(0, signOut.toString().indexOf('?')));
        assertEquals(Map.of("client_id", "berth", "post_logout_redirect_uri", "http://berth.test/ui/"),
                query(signOut));
    }

    @Test
    void aCallbackWithAnotherStateIsRefusedWithoutAskingTheProvider() {
        FakeProvider provider = provider();
        SingleSignOn sso = sso(provider);
        SingleSignOn.Start start = sso.start(CALLBACK);
        SingleSignOn.Start other = sso.start(CALLBACK);
        int before = server.getRequestCount();

        SignInRefused refused = assertThrows(SignInRefused.class, () -> sso.finish(callback(
                query(other.location()).get("state"), "code"), Optional.of(start.cookie())));
        assertEquals(400, refused.status());
        assertEquals("the provider's answer is for another sign-in (its state is not this browser's)",
                refused.getMessage());
        SignInRefused none = assertThrows(SignInRefused.class, () -> sso.finish(Map.of("code", "c"),
                Optional.of(start.cookie())));
        assertEquals("the provider's answer has no state", none.getMessage());
        assertEquals(before, server.getRequestCount(), "no code exchange for a callback that is not ours");
    }

    @Test
    void aCallbackWithoutTheBrowsersSignInOrAfterItExpiredIsRefused() {
        SingleSignOn sso = sso(provider());
        SingleSignOn.Start start = sso.start(CALLBACK);
        String state = query(start.location()).get("state");

        assertEquals(400, assertThrows(SignInRefused.class, () -> sso.finish(callback(state, "c"), Optional.empty()))
                .status());
        assertEquals(400, assertThrows(SignInRefused.class, () -> sso.finish(callback(state, "c"),
                Optional.of(start.cookie().replace('A', 'B').replace('x', 'y')))).status(), "a tampered cookie");
        SingleSignOn elsewhere = new SingleSignOn(provider().config(Duration.ofSeconds(5)), OWN, Set.of(),
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                    26, 27, 28, 29, 30, 31, 32}, clock);
        assertEquals(400, assertThrows(SignInRefused.class, () -> elsewhere.finish(callback(state, "c"),
                Optional.of(start.cookie()))).status(), "sealed with another key");
        clock.advance(SingleSignOn.PENDING);
        SignInRefused expired = assertThrows(SignInRefused.class, () -> sso.finish(callback(state, "c"),
                Optional.of(start.cookie())));
        assertTrue(expired.getMessage().startsWith("no sign-in of this browser is in progress"), expired.getMessage());
    }

    @Test
    void anotherInstanceWithTheSameKeyFinishesTheSignIn() {
        FakeProvider provider = provider();
        SingleSignOn.Start start = startAnswering(sso(provider), provider, claims -> claims);
        SingleSignOn sameKey = sso(provider);
        assertEquals(Optional.of("carol"), sameKey.finish(callback(query(start.location()).get("state"), "c"),
                Optional.of(start.cookie())).user(), "a fleet's instances draw the key from cluster.secret-file");
    }

    @Test
    void theSameCallbackTwiceIsRefused() {
        FakeProvider provider = provider();
        SingleSignOn sso = sso(provider);
        SingleSignOn.Start start = startAnswering(sso, provider, claims -> claims);
        Map<String, String> query = query(start.location());
        sso.finish(callback(query.get("state"), "c"), Optional.of(start.cookie()));

        SignInRefused again = assertThrows(SignInRefused.class, () -> sso.finish(callback(query.get("state"), "c"),
                Optional.of(start.cookie())));
        assertEquals(400, again.status());
        assertEquals("this sign-in has been used already: sign in again", again.getMessage());
    }

    @Test
    void theProvidersRefusalIsShownAsItSaidIt() {
        SingleSignOn sso = sso(provider());
        SingleSignOn.Start start = sso.start(CALLBACK);
        String state = query(start.location()).get("state");

        SignInRefused denied = assertThrows(SignInRefused.class, () -> sso.finish(Map.of("state", state, "error",
                "access_denied", "error_description", "not <b>allowed</b>"), Optional.of(start.cookie())));
        assertEquals(403, denied.status());
        assertEquals("the provider refused the sign-in: access_denied (not <b>allowed</b>)", denied.getMessage());

        SignInRefused badCode = assertThrows(SignInRefused.class, () -> sso.finish(callback(state, "stale"),
                Optional.of(start.cookie())));
        assertEquals(401, badCode.status());
        assertEquals("the provider refused to exchange the code: invalid_grant", badCode.getMessage());
    }

    @Test
    void idTokensThatFailACheckAreRefused() throws Exception {
        FakeProvider provider = provider();
        SingleSignOn sso = sso(provider);
        Instant now = clock.instant();
        ECKey unpublished = new ECKeyGenerator(Curve.P_256).keyID("k2").keyUse(KeyUse.SIGNATURE).generate();

        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims(nonce, now)
                .issuer("https://evil.example/realms/team").build(), FakeProvider.KEY),
                "the ID token was issued by \"https://evil.example/realms/team\", not by " + provider.issuer());
        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims(nonce, now).audience("other-app")
                .build(), FakeProvider.KEY), "the ID token is for other-app, not for berth's client berth");
        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims(nonce, now)
                .audience(List.of("berth", "other-app")).claim("azp", "other-app").build(), FakeProvider.KEY),
                "the ID token was issued to another client (azp), not to berth");
        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims(nonce, now.minusSeconds(600))
                .build(), FakeProvider.KEY), "the ID token has expired at " + now.minusSeconds(300));
        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims("another-sign-ins-nonce", now)
                .build(), FakeProvider.KEY), "the ID token's nonce is not this sign-in's: it was made for another one");
        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims(nonce, now).build(),
                FakeProvider.STRANGER), "the ID token's signature is wrong");
        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims(nonce, now).build(), unpublished),
                "the ID token is signed with a key (kid k2) the provider does not publish");
        assertRefused(sso, provider, nonce -> new PlainJWT(new PlainHeader(), provider.claims(nonce, now).build())
                .serialize(), "the ID token is not a signed JWT");
        assertRefused(sso, provider, nonce -> hmac(provider.claims(nonce, now).build()),
                "the ID token is signed with HS256, not an RSA or EC signature berth accepts");
        assertRefused(sso, provider, nonce -> "not.a.jwt", "the ID token is not a signed JWT");
    }

    @Test
    void keysTheProviderRotatedInAreFetchedAgainButNotAtEveryUnknownKey() throws Exception {
        FakeProvider provider = provider();
        SingleSignOn sso = sso(provider);
        SingleSignOn.Start first = startAnswering(sso, provider, claims -> claims);
        sso.finish(callback(query(first.location()).get("state"), "c"), Optional.of(first.cookie()));
        ECKey rotated = new ECKeyGenerator(Curve.P_256).keyID("k2").keyUse(KeyUse.SIGNATURE).generate();
        provider.published.set(new JWKSet(List.of(FakeProvider.KEY.toPublicJWK(),
                rotated.toPublicJWK())));
        int keysFetched = jwksRequests();

        assertRefused(sso, provider, nonce -> FakeProvider.sign(provider.claims(nonce, clock.instant()).build(),
                rotated), "the ID token is signed with a key (kid k2) the provider does not publish");
        assertEquals(keysFetched, jwksRequests(), "fetched a moment ago: not again at once");
        clock.advance(ProviderKeys.REFETCH);
        SingleSignOn.Start later = sso.start(CALLBACK);
        Map<String, String> query = query(later.location());
        provider.answers(FakeProvider.sign(provider.claims(query.get("nonce"), clock.instant()).build(), rotated));
        assertEquals(Optional.of("carol"), sso.finish(callback(query.get("state"), "c"),
                Optional.of(later.cookie())).user());
        assertEquals(keysFetched + 1, jwksRequests(), "the new key fetched once");
    }

    @Test
    void aNameOfBerthsOwnAccountsCannotSignInThroughTheProvider() {
        FakeProvider provider = provider();
        SingleSignOn sso = sso(provider);
        SingleSignOn.Start start = startAnswering(sso, provider, claims -> claims.claim("preferred_username",
                "alice"));
        Map<String, String> query = query(start.location());

        SignInRefused refused = assertThrows(SignInRefused.class, () -> sso.finish(callback(query.get("state"), "c"),
                Optional.of(start.cookie())));
        assertEquals(403, refused.status());
        assertEquals("alice is an account of berth's own: it signs in with its password, not through the provider",
                refused.getMessage());
    }

    @Test
    void aProviderThatIsDownSlowOrFailingIsUnavailableNotAWrongLogin() throws Exception {
        FakeProvider provider = provider();
        SingleSignOn slow = new SingleSignOn(provider.config(Duration.ofMillis(300)), OWN, Set.of(), key, clock);
        SingleSignOn.Start start = slow.start(CALLBACK);
        String state = query(start.location()).get("state");

        provider.token.set(request -> new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("{}")
                .build());
        long began = System.nanoTime();
        ProviderUnavailable timedOut = assertThrows(ProviderUnavailable.class, () -> slow.finish(callback(state, "c"),
                Optional.of(start.cookie())));
        assertTrue(System.nanoTime() - began < TimeUnit.SECONDS.toNanos(5), "bounded by auth.oidc.timeout");
        assertTrue(timedOut.getMessage().startsWith("the provider " + server.getHostName() + ":" + server.getPort()
                + " did not answer the code exchange"), timedOut.getMessage());

        provider.token.set(request -> new MockResponse.Builder().code(502).body("<html>bad gateway</html>").build());
        assertEquals("the provider's token endpoint answered HTTP 502", assertThrows(ProviderUnavailable.class,
                () -> slow.finish(callback(state, "c"), Optional.of(start.cookie()))).getMessage(),
                "the same callback may be tried again after the provider failed");

        SingleSignOn down = new SingleSignOn(provider.config(Duration.ofSeconds(2)), OWN, Set.of(), key, clock);
        String port = ":" + server.getPort();
        server.close();
        ProviderUnavailable refused = assertThrows(ProviderUnavailable.class, () -> down.start(CALLBACK));
        assertTrue(refused.getMessage().contains(port + " did not answer the discovery document"),
                refused.getMessage());
    }

    @Test
    void aDiscoveryDocumentNamingAnotherIssuerIsNotThisProvider() {
        FakeProvider provider = provider();
        provider.discoveryIssuer.set("https://evil.example/realms/team");
        ProviderUnavailable wrong = assertThrows(ProviderUnavailable.class, () -> sso(provider).start(CALLBACK));
        assertEquals("the discovery document of " + provider.issuer() + " names the issuer"
                + " \"https://evil.example/realms/team\": auth.oidc.issuer must be exactly the provider's issuer",
                wrong.getMessage());
    }

    private void assertRefused(SingleSignOn sso, FakeProvider provider, java.util.function.Function<String, String>
            idToken, String message) {
        SingleSignOn.Start start = sso.start(CALLBACK);
        Map<String, String> query = query(start.location());
        provider.answers(idToken.apply(query.get("nonce")));
        SignInRefused refused = assertThrows(SignInRefused.class, () -> sso.finish(callback(query.get("state"), "c"),
                Optional.of(start.cookie())));
        assertEquals(401, refused.status(), message);
        assertEquals(message, refused.getMessage());
    }

    /** A sign-in started, the provider set to answer it with an ID token of {@code claims} as changed. */
    private SingleSignOn.Start startAnswering(SingleSignOn sso, FakeProvider provider,
                                              UnaryOperator<JWTClaimsSet.Builder> claims) {
        SingleSignOn.Start start = sso.start(CALLBACK);
        provider.answers(FakeProvider.sign(claims.apply(provider.claims(query(start.location()).get("nonce"),
                clock.instant())).build(), FakeProvider.KEY));
        return start;
    }

    /** How many times the provider's keys were fetched (every request so far taken from the server's queue). */
    private int jwksRequests() throws InterruptedException {
        while (server.getRequestCount() > takenRequests) {
            if (server.takeRequest().getUrl().encodedPath().endsWith("/certs")) {
                jwksTaken++;
            }
            takenRequests++;
        }
        return jwksTaken;
    }

    private RecordedRequest takeTokenRequest() throws InterruptedException {
        for (RecordedRequest request = server.takeRequest(); ; request = server.takeRequest()) {
            if (request.getUrl().encodedPath().endsWith("/token")) {
                return request;
            }
        }
    }

    private static String hmac(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(FakeProvider.SECRET.repeat(2)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> callback(String state, String code) {
        return Map.of("state", state, "code", code);
    }

    private static Map<String, String> query(URI location) {
        return form(location.getRawQuery());
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }
}
