package dev.berth.auth;

import java.util.Optional;

/** Who is asking: an authenticated user, or nobody in particular. */
public record Principal(Optional<String> user) {
    public static final Principal ANONYMOUS = new Principal(Optional.empty());

    /** An authenticated user. */
    public static Principal user(String name) {
        return new Principal(Optional.of(name));
    }

    public boolean isAnonymous() {
        return user.isEmpty();
    }
}
