package dev.berth.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The check of an ID token (OpenID Connect Core 1.0, 3.1.3.7): signed by one of the provider's keys with an asymmetric
 * algorithm (never {@code none}, never a MAC), issued by the configured issuer, for berth's client (and, with several
 * audiences, authorized for it), not expired (a minute's leeway for clocks), and carrying the nonce this sign-in sent.
 */
final class IdTokenCheck {
    static final Duration LEEWAY = Duration.ofSeconds(60);
    private static final Set<JWSAlgorithm> SIGNATURES = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final String issuer;
    private final String clientId;
    private final ProviderKeys keys;
    private final Clock clock;

    IdTokenCheck(String issuer, String clientId, ProviderKeys keys, Clock clock) {
        this.issuer = issuer;
        this.clientId = clientId;
        this.keys = keys;
        this.clock = clock;
    }

    /** The claims of {@code idToken}, when it passes every check for the sign-in that sent {@code nonce}. */
    JWTClaimsSet verify(String idToken, String nonce) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(idToken);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("the ID token is not a signed JWT");
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!SIGNATURES.contains(algorithm)) {
            throw refused("the ID token is signed with " + algorithm + ", not an RSA or EC signature berth accepts");
        }
        Optional<String> keyId = Optional.ofNullable(jwt.getHeader().getKeyID());
        JWK key = keys.find(keyId, algorithm).orElseThrow(() -> refused("the ID token is signed with a key"
                + keyId.map(id -> " (kid " + ProviderMetadata.shorten(id) + ")").orElse("")
                + " the provider does not publish"));
        try {
            if (!jwt.verify(verifier(key))) {
                throw refused("the ID token's signature is wrong");
            }
        } catch (JOSEException e) {
            throw refused("the ID token's signature cannot be checked: " + e.getMessage());
        }
        if (!issuer.equals(claims.getIssuer())) {
            throw refused("the ID token was issued by \"" + ProviderMetadata.shorten(String.valueOf(claims.getIssuer()))
                    + "\", not by " + issuer);
        }
        List<String> audience = claims.getAudience();
        if (!audience.contains(clientId)) {
            throw refused("the ID token is for " + ProviderMetadata.shorten(String.join(", ", audience))
                    + ", not for berth's client " + clientId);
        }
        Object authorized = claims.getClaim("azp");
        if ((audience.size() > 1 || authorized != null) && !clientId.equals(authorized)) {
            throw refused("the ID token was issued to another client (azp), not to " + clientId);
        }
        Date expires = claims.getExpirationTime();
        if (expires == null || !clock.instant().isBefore(expires.toInstant().plus(LEEWAY))) {
            throw refused("the ID token has expired" + (expires == null ? " (it has no exp)" : " at " + expires
                    .toInstant()));
        }
        Object sent = claims.getClaim("nonce");
        if (!(sent instanceof String value) || !MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                nonce.getBytes(StandardCharsets.UTF_8))) {
            throw refused("the ID token's nonce is not this sign-in's: it was made for another one");
        }
        return claims;
    }

    private static JWSVerifier verifier(JWK key) throws JOSEException {
        return switch (key) {
            case RSAKey rsa -> new RSASSAVerifier(rsa);
            case ECKey ec -> new ECDSAVerifier(ec);
            default -> throw new JOSEException("a " + key.getKeyType() + " key");
        };
    }

    private static SignInRefused refused(String message) {
        return new SignInRefused(401, message);
    }
}
