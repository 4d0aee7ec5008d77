package dev.berth.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.berth.config.BerthConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An OpenID Connect provider played by a MockWebServer: discovery, its JWKS, and a token endpoint that answers with
 * whatever the test set, so each check of an ID token can be put to berth.
 */
final class FakeProvider extends Dispatcher {
    static final String CLIENT = "berth";
    static final String SECRET = "s3cret:with/odd+chars";
    /** The provider's signing key (P-256: quick to make; RSA is what the end-to-end test's provider signs with). */
    static final ECKey KEY = key("k1");
    static final ECKey STRANGER = key("k1");  // the same kid, another key

    final MockWebServer server;
    final AtomicReference<Function<RecordedRequest, MockResponse>> token = new AtomicReference<>(
            request -> new MockResponse.Builder().code(400).body("{\"error\":\"invalid_grant\"}").build());
    final AtomicReference<String> discoveryIssuer = new AtomicReference<>();
    /** The keys the provider publishes: {@link #KEY}, until the test rotates them. */
    final AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(KEY.toPublicJWK()));

    FakeProvider(MockWebServer server) {
        this.server = server;
        server.setDispatcher(this);
    }

    String issuer() {
        return server.url("/realms/team").toString();
    }

    BerthConfig.Oidc config(Duration timeout) {
        return new BerthConfig.Oidc(URI.create(issuer()), CLIENT, SECRET, "groups", List.of("openid", "profile"),
                Optional.empty(), timeout);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        if (path.equals("/realms/team/.well-known/openid-configuration")) {
            String named = discoveryIssuer.get() == null ? issuer() : discoveryIssuer.get();
            return json("{\"issuer\":\"" + named + "\",\"authorization_endpoint\":\"" + issuer() + "/auth\","
                    + "\"token_endpoint\":\"" + issuer() + "/token\",\"jwks_uri\":\"" + issuer() + "/certs\","
                    + "\"end_session_endpoint\":\"" + issuer() + "/logout\"}");
        }
        if (path.equals("/realms/team/certs")) {
            return json(published.get().toString());
        }
        if (path.equals("/realms/team/token")) {
            return token.get().apply(request);
        }
        return new MockResponse.Builder().code(404).build();
    }

    /** The token endpoint answers with {@code idToken}. */
    void answers(String idToken) {
        token.set(request -> json("{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"id_token\":\"" + idToken
                + "\"}"));
    }

    /** Claims as the provider would issue them for a sign-in that sent {@code nonce}, valid from {@code now}. */
    JWTClaimsSet.Builder claims(String nonce, java.time.Instant now) {
        return new JWTClaimsSet.Builder().issuer(issuer()).audience(CLIENT).subject("f81d4fae")
                .claim("preferred_username", "carol").claim("nonce", nonce)
                .claim("groups", List.of("/devs", "ops", "unrelated"))
                .issueTime(java.util.Date.from(now)).expirationTime(java.util.Date.from(now.plusSeconds(300)));
    }

    static String sign(JWTClaimsSet claims, ECKey key) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                    claims);
            JWSSigner signer = new ECDSASigner(key);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().addHeader("Content-Type", "application/json").body(body).build();
    }

    private static ECKey key(String id) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(id).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
