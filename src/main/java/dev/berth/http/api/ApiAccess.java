package dev.berth.http.api;

import dev.berth.auth.Caller;
import dev.berth.auth.CredentialsRefused;
import dev.berth.auth.Sessions;
import dev.berth.config.BerthConfig;
import dev.berth.http.CredentialsReader;
import dev.berth.http.RepositoryAccess;
import dev.berth.http.RequestClient;
import dev.berth.http.SameOrigin;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import java.util.Map;

/**
 * Who calls the admin API and what they may see and do: through the one {@link CredentialsReader}, HTTP Basic with an
 * account, a Bearer token from berth's token endpoint (whatever its scope: it proves who logged in), the page's
 * session, or nobody. Reading follows the registry's pull rights; administration needs the rules' {@code admin}.
 * Without {@code auth.htpasswd} there are no accounts, so administration is open to callers on berth's own host only
 * (a loopback client whose request no proxy forwarded).
 */
public final class ApiAccess {
    static final String CHALLENGE = "Basic realm=\"berth\"";
    /** What the page sends with every call, to show that it, not another site, made the browser send it. */
    static final HeaderName PAGE_HEADER = HeaderNames.create("X-Berth-Request");

    private final BerthConfig.Auth config;
    private final CredentialsReader credentials;
    private final RepositoryAccess rules;

    public ApiAccess(BerthConfig.Auth config, CredentialsReader credentials, RepositoryAccess rules) {
        this.config = config;
        this.credentials = credentials;
        this.rules = rules;
    }

    /**
     * Who sent {@code req}: anonymous without credentials; a 401 with a Basic challenge for wrong ones. A browser's
     * write must come from berth's own page, and with a session cookie carry {@link #PAGE_HEADER}, which no other site
     * can make a browser send: a 403 otherwise.
     */
    Caller authenticate(ServerRequest req) {
        boolean write = req.prologue().method() != Method.GET && req.prologue().method() != Method.HEAD;
        if (write) {
            SameOrigin.refusal(req).ifPresent(why -> {
                throw new ApiException(ApiError.FORBIDDEN, "a browser may change berth only from berth's own page: "
                        + why);
            });
        }
        Caller caller;
        try {
            caller = credentials.readWithSession(req);
        } catch (CredentialsRefused e) {
            throw refusal(req, e);
        }
        if (write && caller.proof() == Caller.Proof.SESSION && !req.headers().contains(PAGE_HEADER)) {
            throw new ApiException(ApiError.FORBIDDEN, "a write with a session cookie must carry the header "
                    + PAGE_HEADER.defaultCase() + ", as berth's page sends it");
        }
        return caller;
    }

    /**
     * Refused credentials as the admin API answers them. A session that has ended (signed out, expired, its account
     * removed or its password changed) is a 401 that takes the cookie away: no Basic challenge, which would make a
     * browser ask for a password in a dialog of its own.
     */
    private static ApiException refusal(ServerRequest req, CredentialsRefused e) {
        return switch (e.reason()) {
            case THROTTLED -> new ApiException(ApiError.TOO_MANY_REQUESTS, e.getMessage())
                    .withHeader("Retry-After", e.retryAfterSeconds());
            case SESSION_ENDED -> new ApiException(ApiError.UNAUTHORIZED, e.getMessage())
                    .withHeader("Set-Cookie", Sessions.cookie("", 0, RequestClient.of(req).https()));
            case UNAVAILABLE -> new ApiException(ApiError.UNAVAILABLE, e.getMessage()).withHeader("Retry-After", "5");
            case UNSUPPORTED_SCHEME -> unauthorized(e.getMessage() + ": use Basic or Bearer");
            case MALFORMED, INVALID_TOKEN, WRONG_PASSWORD -> unauthorized(e.getMessage());
        };
    }

    /** Whether logins are on ({@code auth.htpasswd}, {@code auth.ldap}, {@code auth.oidc}): the page offers to sign in. */
    boolean loginsEnabled() {
        return config.enabled();
    }

    /**
     * Whether the page signs in with a password ({@code auth.htpasswd}, {@code auth.ldap}) and through a provider
     * ({@code auth.oidc}).
     */
    Map<String, Boolean> signIn() {
        return Map.of("password", config.passwords(), "singleSignOn", config.oidc().isPresent());
    }

    /** Whether {@code caller} may pull the repository stored as {@code repository} (an invalid name: no). */
    boolean canPull(Caller caller, String repository) {
        return rules.canPull(caller.principal(), repository);
    }

    /** Passes when {@code caller} administers the repository stored as {@code repository}; 401 or 403 otherwise. */
    void requireAdmin(Caller caller, String repository) {
        if (!administers(caller, repository)) {
            throw refused(caller, "administer " + repository);
        }
    }

    /** Whether {@code caller} administers the repository stored as {@code repository}. */
    boolean administers(Caller caller, String repository) {
        return config.enabled() ? rules.administers(caller.principal(), repository) : caller.local();
    }

    /** Passes when {@code caller} administers anything (warm jobs, statistics); 401 or 403 otherwise. */
    void requireAdmin(Caller caller) {
        if (!isAdmin(caller)) {
            throw refused(caller, "use the admin API's actions");
        }
    }

    /** Whether {@code caller} may administer anything, for an answer that says what the caller may do. */
    boolean isAdmin(Caller caller) {
        return config.enabled() ? rules.administersAny(caller.principal()) : caller.local();
    }

    private ApiException refused(Caller caller, String what) {
        if (!config.enabled()) {
            return new ApiException(ApiError.FORBIDDEN, "authentication is off (no auth.htpasswd): only callers on"
                    + " berth's own host may " + what);
        }
        if (caller.principal().isAnonymous()) {
            return unauthorized("log in to " + what);
        }
        return new ApiException(ApiError.FORBIDDEN, caller.principal().user().get() + " may not " + what
                + " (the access rules' admin)");
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(ApiError.UNAUTHORIZED, message).withHeader("WWW-Authenticate", CHALLENGE);
    }
}
