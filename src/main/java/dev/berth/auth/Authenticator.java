package dev.berth.auth;

import java.util.Optional;

/**
 * Checks what a client presented, whatever the endpoint: passwords through {@link Logins} (throttled, against
 * {@link Accounts}: htpasswd, a directory), tokens through {@link Tokens}, page sessions through {@link Sessions}. It
 * knows no HTTP, so a new source of identities plugs in here without touching an endpoint.
 */
public final class Authenticator {
    private final Logins logins;
    private final Tokens tokens;
    private final Sessions sessions;

    public Authenticator(Logins logins, Tokens tokens, Sessions sessions) {
        this.logins = logins;
        this.tokens = tokens;
        this.sessions = sessions;
    }

    /**
     * The caller {@code presented} proves, asking from the address {@code client} ({@code local}: on berth's own host).
     *
     * @throws CredentialsRefused when they prove nobody, the login throttle holds them back, or the accounts cannot
     *                            be asked ({@link CredentialsRefused.Reason#UNAVAILABLE})
     */
    public Caller check(Credentials presented, String client, boolean local) {
        try {
            return verify(presented, client, local);
        } catch (AccountsUnavailable e) {
            throw new CredentialsRefused(e);
        }
    }

    private Caller verify(Credentials presented, String client, boolean local) {
        return switch (presented) {
            case Credentials.Password password -> new Caller(login(password, client), Caller.Proof.PASSWORD,
                    Optional.empty(), local);
            case Credentials.Token token -> {
                VerifiedToken verified = tokens.verify(token.value())
                        .orElseThrow(() -> new CredentialsRefused(CredentialsRefused.Reason.INVALID_TOKEN));
                yield new Caller(verified.principal(), Caller.Proof.TOKEN, Optional.of(verified), local);
            }
            case Credentials.Session session -> new Caller(sessions.verify(session.value())
                    .orElseThrow(() -> new CredentialsRefused(CredentialsRefused.Reason.SESSION_ENDED)),
                    Caller.Proof.SESSION, Optional.empty(), local);
        };
    }

    private Principal login(Credentials.Password password, String client) {
        try {
            return logins.login(client, password.user(), password.password())
                    .orElseThrow(() -> new CredentialsRefused(CredentialsRefused.Reason.WRONG_PASSWORD));
        } catch (TooManyLogins e) {
            throw new CredentialsRefused(e);
        }
    }
}
