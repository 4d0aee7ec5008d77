package dev.berth.auth;

import java.time.Duration;

/**
 * A login refused unchecked: its address is being slowed down and already has an attempt in flight, or it waited too
 * long for the attempts in flight of its address or account.
 */
public final class TooManyLogins extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    TooManyLogins(Duration retryAfter) {
        super("too many failed logins from this address or for this account; try again in "
                + Math.max(1, retryAfter.toSeconds()) + " s", null, false, false);
        this.retryAfter = retryAfter;
    }

    /** When an attempt may be checked again, at the earliest. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** {@link #retryAfter()} in whole seconds, at least 1, for a {@code Retry-After} header. */
    public String retryAfterSeconds() {
        return Long.toString(Math.max(1, retryAfter.toSeconds() + (retryAfter.toMillisPart() > 0 ? 1 : 0)));
    }
}
