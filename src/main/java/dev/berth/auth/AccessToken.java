package dev.berth.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An access token as it is kept (its secret never: only the secret's SHA-256, {@code secretHash}) and listed: who
 * created it and in which groups of their identity provider they were then, what it grants, when it was created, when
 * it expires and when it was last used (as last written: at most every few minutes).
 */
public record AccessToken(String name, String id, String creator, Set<String> creatorGroups,
                          List<String> repositories, Set<Action> actions, Instant created, Instant expires,
                          String secretHash, Optional<Instant> lastUsed) {
    public AccessToken {
        creatorGroups = Set.copyOf(creatorGroups);
        repositories = List.copyOf(repositories);
        actions = Set.copyOf(actions);
    }

    /** Whether the token has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expires);
    }

    /** The same token, last used at {@code at}. */
    AccessToken usedAt(Optional<Instant> at) {
        return new AccessToken(name, id, creator, creatorGroups, repositories, actions, created, expires, secretHash,
                at);
    }
}
