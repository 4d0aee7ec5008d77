package dev.berth.auth;

import java.util.Optional;

/**
 * Who sent a request and how they proved it: the one caller of the registry API, the token endpoint, the admin API and
 * the page. {@code local} says the request came from berth's own host (loopback, forwarded by no proxy), which is what
 * stands for administration where there are no accounts.
 */
public record Caller(Principal principal, Proof proof, Optional<VerifiedToken> token, boolean local) {
    /** How a caller proved who it is. */
    public enum Proof {
        /** No credentials at all (or logins are off). */
        NONE,
        /** A password of an account. */
        PASSWORD,
        /** A token of berth's token endpoint, whose scope then limits what the caller may do. */
        TOKEN,
        /** The web page's session cookie. */
        SESSION
    }

    /** A caller without credentials. */
    public static Caller anonymous(boolean local) {
        return new Caller(Principal.ANONYMOUS, Proof.NONE, Optional.empty(), local);
    }

    /** Whether the request carried credentials or a token at all (an anonymous token counts). */
    public boolean presentedCredentials() {
        return proof != Proof.NONE;
    }
}
