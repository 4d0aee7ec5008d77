package dev.berth.auth;

import java.util.Optional;

/**
 * The two questions logins and registry tokens ask about access tokens: whether a name and secret are a live token's,
 * and whether the token a registry token was issued from is still live.
 */
public interface AccessTokenCheck {
    /** No access tokens at all. */
    AccessTokenCheck NONE = new AccessTokenCheck() {
        @Override
        public Optional<Principal> login(String name, String secret) {
            return Optional.empty();
        }

        @Override
        public Optional<Principal> live(String name, String id) {
            return Optional.empty();
        }
    };

    /** The token's holder when {@code secret} is the live token {@code name}'s; empty otherwise. Never logs either. */
    Optional<Principal> login(String name, String secret);

    /** The token's holder when the token {@code name} with the id {@code id} is live (not revoked, not expired). */
    Optional<Principal> live(String name, String id);
}
