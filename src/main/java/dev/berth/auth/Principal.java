package dev.berth.auth;

import java.util.Optional;
import java.util.Set;

/**
 * Who is asking: an authenticated user, or nobody in particular. {@code groups} are the groups the user's identity
 * provider (a directory, single sign-on) puts them in, which rules name as {@code @group} beside {@code auth.groups}.
 * An access token's holder is a user named as the token, whose {@code token} limits what the rules grant.
 */
public record Principal(Optional<String> user, Set<String> groups, Optional<TokenGrant> token) {
    public static final Principal ANONYMOUS = new Principal(Optional.empty(), Set.of());

    public Principal {
        groups = Set.copyOf(groups);
    }

    /** Anyone but an access token's holder. */
    public Principal(Optional<String> user, Set<String> groups) {
        this(user, groups, Optional.empty());
    }

    /** An authenticated user whose groups are only those {@code auth.groups} gives. */
    public static Principal user(String name) {
        return user(name, Set.of());
    }

    /** An authenticated user in {@code groups} of their identity provider. */
    public static Principal user(String name, Set<String> groups) {
        return new Principal(Optional.of(name), groups);
    }

    /** The holder of the access token {@code name}, which grants {@code grant}. */
    public static Principal accessToken(String name, TokenGrant grant) {
        return new Principal(Optional.of(name), Set.of(), Optional.of(grant));
    }

    public boolean isAnonymous() {
        return user.isEmpty();
    }
}
