package dev.berth.auth;

/** An access token that cannot be created as asked: why, in words for the person asking. */
public final class TokenRequestRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the request was refused; each API answers it with its own status. */
    public enum Reason {
        /** A name, glob, action or lifetime that is not valid. */
        INVALID,
        /** The name is taken: by a token, or by an account. */
        TAKEN,
        /** The token would grant more than its creator may do, or the creator may create no token. */
        BEYOND_CREATOR,
        /** As many tokens as berth keeps exist already. */
        TOO_MANY
    }

    private final Reason reason;

    TokenRequestRefused(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
