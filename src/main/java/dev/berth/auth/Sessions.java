package dev.berth.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Logins of the web page: who signed in, as a token of the token machinery with an audience of its own (so a session
 * never passes as a registry token, nor one as a session), kept by the browser in a cookie.
 */
public final class Sessions {
    /** The service name, the audience of session tokens. */
    public static final String SERVICE = "berth-session";
    /** The cookie that holds a session. */
    public static final String COOKIE = "berth_session";
    /** How long a browser stays signed in. */
    public static final Duration TTL = Duration.ofHours(8);

    private final Tokens tokens;

    /** Sessions signed by {@code tokens}, which must be made for {@link #SERVICE} with {@link #TTL}. */
    public Sessions(Tokens tokens) {
        if (!tokens.service().equals(SERVICE)) {
            throw new IllegalArgumentException("session tokens need the service " + SERVICE);
        }
        this.tokens = tokens;
    }

    /** A session of {@code who}: the cookie's value. */
    public String open(Principal who) {
        return tokens.issue(who, List.of()).token();
    }

    /** Who the session {@code value} belongs to, when it is one of ours and not expired. */
    public Optional<Principal> verify(String value) {
        return tokens.verify(value).map(VerifiedToken::principal).filter(who -> !who.isAnonymous());
    }
}
