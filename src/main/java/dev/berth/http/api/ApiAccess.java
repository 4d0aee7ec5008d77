package dev.berth.http.api;

import dev.berth.auth.AccessRules;
import dev.berth.auth.Action;
import dev.berth.auth.BasicCredentials;
import dev.berth.auth.Logins;
import dev.berth.auth.Principal;
import dev.berth.auth.Tokens;
import dev.berth.auth.VerifiedToken;
import dev.berth.config.BerthConfig;
import dev.berth.http.Requests;
import dev.berth.oci.RepoName;
import dev.berth.registry.Registry;
import dev.berth.registry.Repository;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Who calls the admin API and what they may see and do: HTTP Basic with an htpasswd account, or a Bearer token from
 * berth's token endpoint (whatever its scope: it proves who logged in), or nobody. Reading follows the registry's pull
 * rights; administration needs the rules' {@code admin}. Without {@code auth.htpasswd} there are no accounts, so
 * administration is open to callers on berth's own host only (a loopback connection that no proxy forwarded).
 */
public final class ApiAccess {
    static final String CHALLENGE = "Basic realm=\"berth\"";

    private final BerthConfig.Auth config;
    private final Logins logins;
    private final Tokens tokens;
    private final AccessRules rules;
    private final Registry registry;

    public ApiAccess(BerthConfig.Auth config, Logins logins, Tokens tokens, Registry registry) {
        this.config = config;
        this.logins = logins;
        this.tokens = tokens;
        this.rules = new AccessRules(config);
        this.registry = registry;
    }

    /** Who sent {@code req}: anonymous without credentials; a 401 with a Basic challenge for wrong ones. */
    ApiCaller authenticate(ServerRequest req) {
        boolean local = fromThisHost(req);
        if (!config.enabled()) {
            return new ApiCaller(Principal.ANONYMOUS, local);
        }
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION).map(String::trim);
        if (header.isEmpty()) {
            return new ApiCaller(Principal.ANONYMOUS, local);
        }
        String value = header.get();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            VerifiedToken token = tokens.verify(value.substring(7).trim())
                    .orElseThrow(() -> unauthorized("the token is invalid or has expired"));
            return new ApiCaller(token.principal(), local);
        }
        if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
            BasicCredentials credentials = BasicCredentials.decode(value.substring(6))
                    .orElseThrow(() -> unauthorized("malformed Basic credentials"));
            Principal who = logins.login(Requests.clientAddress(req), credentials.user(), credentials.password())
                    .orElseThrow(() -> unauthorized("wrong user name or password"));
            return new ApiCaller(who, local);
        }
        throw unauthorized("unsupported Authorization scheme: use Basic or Bearer");
    }

    /** Whether {@code caller} may pull the repository stored as {@code repository} (an invalid name: no). */
    boolean canPull(ApiCaller caller, String repository) {
        if (!RepoName.isValid(repository)) {
            return false;
        }
        Repository resolved = registry.repository(RepoName.of(repository), Optional.empty());
        return rules.allowed(caller.principal(), resolved.name().value(), resolved.isMirror()).contains(Action.PULL);
    }

    /** Passes when {@code caller} administers the repository stored as {@code repository}; 401 or 403 otherwise. */
    void requireAdmin(ApiCaller caller, String repository) {
        boolean allowed = config.enabled() ? rules.administers(caller.principal(), repository) : caller.local();
        if (!allowed) {
            throw refused(caller, "administer " + repository);
        }
    }

    /** Passes when {@code caller} administers anything (warm jobs, statistics); 401 or 403 otherwise. */
    void requireAdmin(ApiCaller caller) {
        boolean allowed = config.enabled() ? rules.administersAny(caller.principal()) : caller.local();
        if (!allowed) {
            throw refused(caller, "use the admin API's actions");
        }
    }

    /** Whether {@code caller} may administer anything, for an answer that says what the caller may do. */
    boolean isAdmin(ApiCaller caller) {
        return config.enabled() ? rules.administersAny(caller.principal()) : caller.local();
    }

    private ApiException refused(ApiCaller caller, String what) {
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

    /**
     * Whether the connection comes from a loopback address and no proxy says it forwarded it: a proxy on the same
     * host would otherwise make every client local.
     */
    private static boolean fromThisHost(ServerRequest req) {
        if (req.headers().contains(HeaderNames.X_FORWARDED_FOR) || req.headers().contains(HeaderNames.FORWARDED)
                || req.headers().contains(HeaderNames.create("X-Real-IP"))) {
            return false;
        }
        try {
            return InetAddress.getByName(Requests.clientAddress(req)).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
