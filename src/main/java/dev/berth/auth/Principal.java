package dev.berth.auth;

import java.util.Optional;
import java.util.Set;

/**
 * Who is asking: an authenticated user, or nobody in particular. {@code groups} are the groups the user's identity
 * provider (a directory, single sign-on) puts them in, which rules name as {@code @group} beside {@code auth.groups}.
 */
public record Principal(Optional<String> user, Set<String> groups) {
    public static final Principal ANONYMOUS = new Principal(Optional.empty(), Set.of());

    public Principal {
        groups = Set.copyOf(groups);
    }

    /** An authenticated user whose groups are only those {@code auth.groups} gives. */
    public static Principal user(String name) {
        return user(name, Set.of());
    }

    /** An authenticated user in {@code groups} of their identity provider. */
    public static Principal user(String name, Set<String> groups) {
        return new Principal(Optional.of(name), groups);
    }

    public boolean isAnonymous() {
        return user.isEmpty();
    }
}
