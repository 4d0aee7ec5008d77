package dev.berth.auth;

import java.util.Optional;

/**
 * Password logins against the accounts, slowed down by {@link LoginThrottle} after repeated failures: one for the
 * whole server, so that guesses spread over the registry API, the token endpoint, the admin API and the web page
 * count together. An access token's name and secret log in as its holder, throttled alike.
 */
public final class Logins {
    private final Accounts accounts;
    private final AccessTokenCheck accessTokens;
    private final LoginThrottle throttle = new LoginThrottle();

    /** Logins against {@code accounts} ({@link Accounts#NONE}: every login fails). */
    public Logins(Accounts accounts) {
        this(accounts, AccessTokenCheck.NONE);
    }

    /** Logins against {@code accounts}, and with the secrets of {@code accessTokens}. */
    public Logins(Accounts accounts, AccessTokenCheck accessTokens) {
        this.accounts = accounts;
        this.accessTokens = accessTokens;
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
            // Only what has the form of a token's secret is looked up among the tokens; anything else is a password.
            Optional<Principal> holder = AccessTokens.looksLikeSecret(password)
                    ? accessTokens.login(user, password) : Optional.empty();
            if (holder.isPresent()) {
                accepted = true;
                return holder;
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
