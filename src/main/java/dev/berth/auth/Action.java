package dev.berth.auth;

import java.util.Optional;

/** What a client may do with a repository, as the Docker token scopes name it. */
public enum Action {
    PULL, PUSH, DELETE;

    /** The name in a scope, e.g. {@code pull}. */
    public String scopeName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The action a scope names; empty for names of no single action ({@code *}, which {@link Scope} reads) or unknown. */
    public static Optional<Action> fromScopeName(String name) {
        for (Action action : values()) {
            if (action.scopeName().equals(name)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
