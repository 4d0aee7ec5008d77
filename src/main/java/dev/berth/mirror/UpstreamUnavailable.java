package dev.berth.mirror;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.time.Duration;

/** A client error caused by upstream trouble rather than by absent content, so a cached copy may stand in for it. */
final class UpstreamUnavailable extends RegistryException {
    private final Duration retryAfter;

    /** {@code retryAfter}, how long before the upstream is worth asking again, is sent as Retry-After too. */
    UpstreamUnavailable(OciError error, String detail, Duration retryAfter) {
        super(error, detail);
        this.retryAfter = retryAfter;
        // Whole seconds, at least one: "Retry-After: 0" would invite clients to hammer a failing upstream.
        withHeader("Retry-After", String.valueOf(Math.max(1, retryAfter.plusMillis(999).toSeconds())));
    }

    /** How long before the upstream is worth asking again. */
    Duration retryAfter() {
        return retryAfter;
    }
}
