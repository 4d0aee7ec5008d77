package dev.berth.auth;

import java.util.Optional;
import java.util.Set;

/** The users who can log in, and the check of their passwords. */
public interface Accounts {
    /** No accounts at all: every login fails, and no user's token or session is accepted. */
    Accounts NONE = new Accounts() {
        @Override
        public boolean verify(String user, String password) {
            return false;
        }

        @Override
        public Optional<String> fingerprint(String user) {
            return Optional.empty();
        }
    };

    /**
     * Whether {@code password} is {@code user}'s. Never logs either.
     *
     * @throws AccountsUnavailable when the accounts cannot be asked now (a directory that is down)
     */
    boolean verify(String user, String password);

    /**
     * A short fingerprint of {@code user}'s account as it is now, empty when there is no such user. It changes with
     * the password, so that the tokens and sessions which carry it end with the account or its password. The same
     * account gives the same fingerprint on every instance; it tells nothing of the password.
     */
    Optional<String> fingerprint(String user);

    /**
     * The groups {@code user}'s identity provider puts them in, named as rules name them without the {@code @}; none
     * for an account of a file, whose groups are {@code auth.groups}.
     */
    default Set<String> groups(String user) {
        return Set.of();
    }
}
