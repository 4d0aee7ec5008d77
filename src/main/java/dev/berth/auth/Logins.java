package dev.berth.auth;

import java.util.Optional;

/**
 * Password logins against the accounts, slowed down by {@link LoginThrottle} after repeated failures: one for the
 * whole server, so that guesses spread over the registry API, the token endpoint, the admin API and the web page
 * count together.
 */
public final class Logins {
    private final Accounts accounts;
    private final LoginThrottle throttle = new LoginThrottle();

    /** Logins against {@code accounts} ({@link Accounts#NONE}: every login fails). */
    public Logins(Accounts accounts) {
        this.accounts = accounts;
    }

    /**
     * The user, when {@code password} is theirs; empty otherwise. The answer comes after a delay when the client's
     * address ({@code client}) or the account keeps failing.
     *
     * @throws TooManyLogins       when the address is slowed down and already has an attempt being checked, or the
     *                             attempts being checked for the address or the account did not end in time
     * @throws AccountsUnavailable when the accounts cannot be asked (a directory that is down)
     */
    public Optional<Principal> login(String client, String user, String password) {
        LoginThrottle.Attempt attempt = throttle.begin(client, user);
        boolean accepted = false;
        boolean checked = true;
        try {
            if (!attempt.delay().isZero()) {
                // The request's own virtual thread waits: a guesser's next answer comes later, nobody else's does.
                Thread.sleep(attempt.delay());
            }
            accepted = accounts.verify(user, password);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (AccountsUnavailable e) {
            checked = false;
            throw e;
        } finally {
            if (checked) {
                throttle.end(attempt, accepted);
            } else {
                // Not checked: no failure to count against a user who did nothing wrong.
                throttle.abandon(attempt);
            }
        }
        return accepted ? Optional.of(Principal.user(user, accounts.groups(user))) : Optional.empty();
    }
}
