package dev.berth.http;

import dev.berth.auth.Principal;
import dev.berth.auth.VerifiedToken;
import java.util.Optional;

/** Who sent a request, and the token it came with when it came with one. */
record Caller(Principal principal, Optional<VerifiedToken> token) {
    static final Caller ANONYMOUS = new Caller(Principal.ANONYMOUS, Optional.empty());

    /** Whether the request carried credentials or a token at all. */
    boolean presentedCredentials() {
        return principal.user().isPresent() || token.isPresent();
    }
}
