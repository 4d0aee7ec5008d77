package dev.berth.auth;

import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

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
        return throttled(client, user, () -> {
            // Only what has the form of a token's secret is looked up among the tokens; anything else is a password.
            Optional<Principal> holder = AccessTokens.looksLikeSecret(password)
                    ? accessTokens.login(user, password) : Optional.empty();
            if (holder.isPresent()) {
                return holder;
            }
            return accounts.verify(user, password) ? Optional.of(Principal.user(user, accounts.groups(user)))
                    : Optional.empty();
        }, Optional::isPresent);
    }

    /** Whether {@code user} is one of berth's own accounts (nothing is checked of a password). */
    public boolean hasAccount(String user) {
        return accounts.fingerprint(user).isPresent();
    }

    /**
     * {@code check}'s answer, run as a login attempt of {@code user} from {@code client} under the same throttle
     * (an upstream asked with a caller's own password counts as a login), a failure when {@code succeeded} says so.
     * A check that throws gave no verdict (an upstream that did not answer): the attempt counts neither way, or an
     * upstream's outage would slow down, and refuse, every login from the addresses of those who retry meanwhile.
     *
     * @throws TooManyLogins as {@link #login}, and when the wait before the check is interrupted
     */
    public <T> T throttled(String client, String user, Supplier<T> check, Predicate<T> succeeded) {
        LoginThrottle.Attempt attempt = throttle.begin(client, user);
        boolean accepted = false;
        boolean checked = true;
        try {
            if (!attempt.delay().isZero()) {
                // The request's own virtual thread waits: a guesser's next answer comes later, nobody else's does.
                Thread.sleep(attempt.delay());
            }
            T answer;
            try {
                answer = check.get();
            } catch (RuntimeException e) {
                checked = false;
                throw e;
            }
            accepted = succeeded.test(answer);
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TooManyLogins(attempt.delay());
        } finally {
            if (checked) {
                throttle.end(attempt, accepted);
            } else {
                // Not checked: no failure to count against a user who did nothing wrong.
                throttle.abandon(attempt);
            }
        }
    }
}
