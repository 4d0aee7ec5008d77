package dev.berth.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Logins of the web page: who signed in, as a token of the token machinery with an audience of its own (so a session
 * never passes as a registry token, nor one as a session), kept by the browser in a cookie. A session ends when it
 * expires, when its user signs out (on every instance: {@link EndedSessions}), and when the account is removed or its
 * password changed (the token's account fingerprint).
 */
public final class Sessions {
    /** The service name, the audience of session tokens. */
    public static final String SERVICE = "berth-session";
    /** The cookie that holds a session. */
    public static final String COOKIE = "berth_session";
    /** How long a browser stays signed in. */
    public static final Duration TTL = Duration.ofHours(8);

    private final Tokens tokens;
    private final EndedSessions ended;

    /** Sessions signed by {@code tokens}, which must be made for {@link #SERVICE} with {@link #TTL}. */
    public Sessions(Tokens tokens, EndedSessions ended) {
        if (!tokens.service().equals(SERVICE)) {
            throw new IllegalArgumentException("session tokens need the service " + SERVICE);
        }
        this.tokens = tokens;
        this.ended = ended;
    }

    /**
     * The {@code Set-Cookie} value that gives a browser the session {@code value} for {@code maxAgeSeconds} (0 and an
     * empty value: takes it away): for berth's whole origin (page and API), never readable by scripts nor sent
     * cross-site, and only over HTTPS when {@code secure}.
     */
    public static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : "");
    }

    /** A session of {@code who}: the cookie's value. */
    public String open(Principal who) {
        return tokens.issue(who, List.of()).token();
    }

    /** Who the session {@code value} belongs to, when it is one of ours, of an account as it is now, and not ended. */
    public Optional<Principal> verify(String value) {
        return tokens.verify(value).filter(session -> !session.principal().isAnonymous() && !ended.isEnded(session))
                .map(VerifiedToken::principal);
    }

    /**
     * Signs the session {@code value} out: from now on no instance accepts it. Nothing for a value that is none, or a
     * session signed out already (a saved cookie sent again must not make every instance list the sign-outs again).
     */
    public void end(String value) {
        tokens.verify(value).filter(session -> !session.principal().isAnonymous() && !ended.isEnded(session))
                .ifPresent(ended::end);
    }
}
