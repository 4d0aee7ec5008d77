package dev.berth.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * An upstream registry did not give a usable answer. Internal to the mirror, which decides between a stale copy and a
 * {@code RegistryException}; it never reaches a client as is.
 */
public class UpstreamException extends RuntimeException {
    private enum Kind { PLAIN, AUTHENTICATION, OVERSIZED }

    private final int status;
    private final Duration retryAfter;
    private final Kind kind;

    UpstreamException(int status, String message) {
        this(status, message, null, null);
    }

    UpstreamException(int status, String message, Duration retryAfter, Throwable cause) {
        this(status, message, retryAfter, cause, Kind.PLAIN);
    }

    private UpstreamException(int status, String message, Duration retryAfter, Throwable cause, Kind kind) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
        this.kind = kind;
    }

    /**
     * A failure to authenticate: no token from the registry's token service, or Basic credentials the registry refused;
     * {@code status} is the answer, 0 for none.
     */
    static UpstreamException ofAuthentication(int status, String message, Duration retryAfter) {
        return new UpstreamException(status, message, retryAfter, null, Kind.AUTHENTICATION);
    }

    /** A document (tag list, manifest, token answer) larger than berth reads from an upstream. */
    static UpstreamException ofOversized(String message) {
        return new UpstreamException(0, message, null, null, Kind.OVERSIZED);
    }

    /**
     * Whether berth could not authenticate: the token service refused it (wrong credentials, say), failed, or was not
     * asked since its realm was unusable; or the registry refused the Basic credentials berth sent. Whatever the
     * status, that says nothing of whether the content exists.
     */
    public boolean authenticationFailed() {
        return kind == Kind.AUTHENTICATION;
    }

    /**
     * Whether the upstream answered with a document larger than berth reads (the message names the limit): the
     * upstream is reachable, but this answer cannot be used.
     */
    public boolean oversized() {
        return kind == Kind.OVERSIZED;
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
