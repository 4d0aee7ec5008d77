package dev.berth.sso;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The provider's signing keys (its JWKS), fetched at the first sign-in and again when an ID token names a key they do
 * not hold, as after the provider rotated its keys; at most once per {@link #REFETCH} so that tokens naming unknown
 * keys cannot make berth ask the provider at every sign-in.
 */
final class ProviderKeys {
    static final Duration REFETCH = Duration.ofSeconds(5);

    private record Fetched(JWKSet keys, Instant at) {
    }

    private final ProviderHttp http;
    private final Supplier<URI> jwksUri;
    private final Clock clock;
    private volatile Optional<Fetched> fetched = Optional.empty();

    ProviderKeys(ProviderHttp http, Supplier<URI> jwksUri, Clock clock) {
        this.http = http;
        this.jwksUri = jwksUri;
        this.clock = clock;
    }

    /** The key that signed with {@code algorithm} under {@code keyId} (absent: the only one that fits). */
    Optional<JWK> find(Optional<String> keyId, JWSAlgorithm algorithm) {
        Optional<Fetched> last = fetched;
        if (last.isPresent()) {
            Optional<JWK> key = select(last.get().keys(), keyId, algorithm);
            boolean recent = clock.instant().isBefore(last.get().at().plus(REFETCH));
            if (key.isPresent() || recent) {
                return key;
            }
        }
        return select(fetch(), keyId, algorithm);
    }

    private JWKSet fetch() {
        JsonNode document = http.get(jwksUri.get(), "the signing keys (JWKS)");
        try {
            JWKSet keys = JWKSet.parse(document.toString());
            fetched = Optional.of(new Fetched(keys, clock.instant()));
            return keys;
        } catch (ParseException e) {
            throw new ProviderUnavailable("the provider's signing keys (JWKS) cannot be read: " + e.getMessage());
        }
    }

    private static Optional<JWK> select(JWKSet keys, Optional<String> keyId, JWSAlgorithm algorithm) {
        JWKMatcher.Builder matcher = new JWKMatcher.Builder().keyType(KeyType.forAlgorithm(algorithm))
                .keyUses(KeyUse.SIGNATURE, null).algorithms(algorithm, null).publicOnly(true);
        keyId.ifPresent(matcher::keyID);
        List<JWK> matches = new JWKSelector(matcher.build()).select(keys);
        return matches.size() == 1 || keyId.isPresent() && !matches.isEmpty()
                ? Optional.of(matches.getFirst()) : Optional.empty();
    }
}
