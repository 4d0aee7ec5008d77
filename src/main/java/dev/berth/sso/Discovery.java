package dev.berth.sso;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The provider's metadata, from {@code <issuer>/.well-known/openid-configuration}: fetched at the first sign-in (so
 * berth starts while the provider is down), then again when {@link #MAX_AGE} has passed. A provider that cannot be
 * asked then keeps the metadata it gave last, asked again after {@link #RETRY}; without any, the sign-in is a 503.
 * No lock: sign-ins that find it old at once each fetch it (each bounded in time), and the last one stays.
 */
final class Discovery {
    static final Duration MAX_AGE = Duration.ofHours(1);
    static final Duration RETRY = Duration.ofSeconds(30);

    private record Known(ProviderMetadata metadata, Instant nextFetch) {
    }

    private final ProviderHttp http;
    private final String issuer;
    private final URI document;
    private final Clock clock;
    private volatile Optional<Known> known = Optional.empty();

    Discovery(ProviderHttp http, URI issuer, Clock clock) {
        this.http = http;
        this.issuer = issuer.toString();
        String base = this.issuer.endsWith("/") ? this.issuer.substring(0, this.issuer.length() - 1) : this.issuer;
        this.document = URI.create(base + "/.well-known/openid-configuration");
        this.clock = clock;
    }

    /** The metadata, fetched again when old. */
    ProviderMetadata metadata() {
        Instant now = clock.instant();
        Optional<Known> last = known;
        if (last.isPresent() && now.isBefore(last.get().nextFetch())) {
            return last.get().metadata();
        }
        try {
            ProviderMetadata fetched = ProviderMetadata.parse(http.get(document, "the discovery document"), issuer);
            known = Optional.of(new Known(fetched, now.plus(MAX_AGE)));
            return fetched;
        } catch (ProviderUnavailable e) {
            if (last.isEmpty()) {
                throw e;
            }
            known = Optional.of(new Known(last.get().metadata(), now.plus(RETRY)));
            return last.get().metadata();
        }
    }

    /** The metadata fetched last, if any: for signing out, which must not wait for the provider. */
    Optional<ProviderMetadata> known() {
        return known.map(Known::metadata);
    }
}
