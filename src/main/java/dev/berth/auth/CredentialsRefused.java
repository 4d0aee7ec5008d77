package dev.berth.auth;

/** Credentials that prove nobody: why, in words a client can act on; each API answers it in its own error format. */
public final class CredentialsRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the credentials were refused. */
    public enum Reason {
        MALFORMED("malformed Basic credentials"),
        UNSUPPORTED_SCHEME("unsupported Authorization scheme"),
        INVALID_TOKEN("the token is invalid or has expired"),
        WRONG_PASSWORD("wrong user name or password"),
        /** Not checked at all: the address or the account is being slowed down ({@link #retryAfterSeconds()}). */
        THROTTLED(null),
        SESSION_ENDED("the session has ended (signed out, expired, or the account changed): sign in again"),
        /** Not checked at all: the accounts could not be asked (a directory that is down); a 503, never a 401. */
        UNAVAILABLE(null);

        private final String message;

        Reason(String message) {
            this.message = message;
        }
    }

    private final Reason reason;
    private final String retryAfterSeconds;

    public CredentialsRefused(Reason reason) {
        super(reason.message, null, false, false);
        this.reason = reason;
        this.retryAfterSeconds = null;
    }

    CredentialsRefused(TooManyLogins throttled) {
        super(throttled.getMessage(), null, false, false);
        this.reason = Reason.THROTTLED;
        this.retryAfterSeconds = throttled.retryAfterSeconds();
    }

    CredentialsRefused(AccountsUnavailable unavailable) {
        super(unavailable.getMessage(), null, false, false);
        this.reason = Reason.UNAVAILABLE;
        this.retryAfterSeconds = null;
    }

    public Reason reason() {
        return reason;
    }

    /** For {@link Reason#THROTTLED}: when to try again, in whole seconds for a {@code Retry-After} header. */
    public String retryAfterSeconds() {
        if (retryAfterSeconds == null) {
            throw new IllegalStateException("not throttled: " + reason);
        }
        return retryAfterSeconds;
    }
}
