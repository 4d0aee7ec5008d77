package dev.berth.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * An upstream registry did not give a usable answer. Internal to the mirror, which decides between a stale copy and a
 * {@code RegistryException}; it never reaches a client as is.
 */
public class UpstreamException extends RuntimeException {
    private final int status;
    private final Duration retryAfter;

    UpstreamException(int status, String message) {
        this(status, message, null, null);
    }

    UpstreamException(int status, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /**
     * The HTTP status the upstream answered with, or 0 when no answer arrived (timeout, refused connection, reset).
     * A response that arrived but cannot be used (a digest mismatch, say) keeps the status it came with.
     */
    public int status() {
        return status;
    }

    /** How long the upstream asked us to wait, from its {@code Retry-After} header. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
