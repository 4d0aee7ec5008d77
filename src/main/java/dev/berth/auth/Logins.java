package dev.berth.auth;

import java.time.Duration;
import java.util.Optional;

/**
 * Password logins against the accounts, slowed down per client address after repeated failures: one for the whole
 * server, so that guesses spread over the registry API, the token endpoint and the admin API count together.
 */
public final class Logins {
    private final Optional<Accounts> accounts;
    private final LoginThrottle throttle = new LoginThrottle();

    /** Logins against {@code accounts}; without accounts every login fails. */
    public Logins(Optional<Accounts> accounts) {
        this.accounts = accounts;
    }

    /** The user, when {@code password} is theirs; empty otherwise, after a delay when {@code client} keeps failing. */
    public Optional<Principal> login(String client, String user, String password) {
        Duration delay = throttle.delayFor(client);
        if (!delay.isZero()) {
            try {
                // The request's own virtual thread waits: a guesser's next answer comes later, nobody else's does.
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (accounts.isPresent() && accounts.get().verify(user, password)) {
            throttle.succeeded(client);
            return Optional.of(Principal.user(user));
        }
        throttle.failed(client);
        return Optional.empty();
    }
}
