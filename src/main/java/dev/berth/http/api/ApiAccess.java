package dev.berth.http.api;

import dev.berth.auth.BasicCredentials;
import dev.berth.auth.Logins;
import dev.berth.auth.Principal;
import dev.berth.auth.Sessions;
import dev.berth.auth.Tokens;
import dev.berth.auth.TooManyLogins;
import dev.berth.auth.VerifiedToken;
import dev.berth.config.AddressRange;
import dev.berth.config.BerthConfig;
import dev.berth.http.RepositoryAccess;
import dev.berth.http.RequestClient;
import dev.berth.http.Requests;
import dev.berth.http.SameOrigin;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Who calls the admin API and what they may see and do: HTTP Basic with an htpasswd account, or a Bearer token from
 * berth's token endpoint (whatever its scope: it proves who logged in), or nobody. Reading follows the registry's pull
 * rights; administration needs the rules' {@code admin}. Without {@code auth.htpasswd} there are no accounts, so
 * administration is open to callers on berth's own host only (a loopback client whose request no proxy forwarded).
 */
public final class ApiAccess {
    static final String CHALLENGE = "Basic realm=\"berth\"";
    /** What the page sends with every call, to show that it, not another site, made the browser send it. */
    static final HeaderName PAGE_HEADER = HeaderNames.create("X-Berth-Request");

    private final BerthConfig.Auth config;
    private final Logins logins;
    private final Tokens tokens;
    private final RepositoryAccess rules;
    private final Sessions sessions;

    public ApiAccess(BerthConfig.Auth config, Logins logins, Tokens tokens, Sessions sessions,
                     RepositoryAccess rules) {
        this.config = config;
        this.logins = logins;
        this.tokens = tokens;
        this.rules = rules;
        this.sessions = sessions;
    }

    /**
     * Who sent {@code req}: anonymous without credentials; a 401 with a Basic challenge for wrong ones. A browser's
     * write must come from berth's own page, and with a session cookie carry {@link #PAGE_HEADER}, which no other site
     * can make a browser send: a 403 otherwise.
     */
    ApiCaller authenticate(ServerRequest req) {
        boolean write = req.prologue().method() != Method.GET && req.prologue().method() != Method.HEAD;
        if (write) {
            SameOrigin.refusal(req).ifPresent(why -> {
                throw new ApiException(ApiError.FORBIDDEN, "a browser may change berth only from berth's own page: "
                        + why);
            });
        }
        boolean local = fromThisHost(req);
        if (!config.enabled()) {
            return new ApiCaller(Principal.ANONYMOUS, local);
        }
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION).map(String::trim);
        if (header.isEmpty()) {
            return new ApiCaller(session(req, write), local);
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
            return new ApiCaller(login(req, credentials), local);
        }
        throw unauthorized("unsupported Authorization scheme: use Basic or Bearer");
    }

    private Principal login(ServerRequest req, BasicCredentials credentials) {
        try {
            return logins.login(Requests.clientAddress(req), credentials.user(), credentials.password())
                    .orElseThrow(() -> unauthorized("wrong user name or password"));
        } catch (TooManyLogins e) {
            throw new ApiException(ApiError.TOO_MANY_REQUESTS, e.getMessage())
                    .withHeader("Retry-After", e.retryAfterSeconds());
        }
    }

    /**
     * The user of the page's session cookie, or anonymous without one. A session that has ended (signed out, expired,
     * its account removed or its password changed) is a 401 that takes the cookie away: no Basic challenge, which
     * would make a browser ask for a password in a dialog of its own.
     */
    private Principal session(ServerRequest req, boolean write) {
        Optional<String> cookie = req.headers().cookies().first(Sessions.COOKIE).asOptional().filter(v -> !v.isEmpty());
        if (cookie.isEmpty()) {
            return Principal.ANONYMOUS;
        }
        Principal who = sessions.verify(cookie.get()).orElseThrow(() -> new ApiException(ApiError.UNAUTHORIZED,
                "the session has ended (signed out, expired, or the account changed): sign in again")
                .withHeader("Set-Cookie", Sessions.cookie("", 0, RequestClient.of(req).https())));
        if (write && !req.headers().contains(PAGE_HEADER)) {
            throw new ApiException(ApiError.FORBIDDEN, "a write with a session cookie must carry the header "
                    + PAGE_HEADER.defaultCase() + ", as berth's page sends it");
        }
        return who;
    }

    /** Whether logins are on ({@code auth.htpasswd}): the page then offers to sign in. */
    boolean loginsEnabled() {
        return config.enabled();
    }

    /** Whether {@code caller} may pull the repository stored as {@code repository} (an invalid name: no). */
    boolean canPull(ApiCaller caller, String repository) {
        return rules.canPull(caller.principal(), repository);
    }

    /** Passes when {@code caller} administers the repository stored as {@code repository}; 401 or 403 otherwise. */
    void requireAdmin(ApiCaller caller, String repository) {
        if (!administers(caller, repository)) {
            throw refused(caller, "administer " + repository);
        }
    }

    /** Whether {@code caller} administers the repository stored as {@code repository}. */
    boolean administers(ApiCaller caller, String repository) {
        return config.enabled() ? rules.administers(caller.principal(), repository) : caller.local();
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
     * Whether the real client (behind any trusted proxy) is on a loopback address, nothing says a proxy forwarded the
     * request (a proxy on the same host would otherwise make every client local, and a request a trusted proxy
     * forwarded is never local because the proxy is), and it was sent to berth as {@code localhost} or a loopback
     * address: a web page whose own name was made to resolve to 127.0.0.1 (DNS rebinding) reaches berth from loopback
     * through a local browser, but with its name in {@code Host}.
     */
    private static boolean fromThisHost(ServerRequest req) {
        RequestClient client = RequestClient.of(req);
        return !client.proxied() && isLoopback(client.address())
                && req.headers().first(HeaderNames.HOST).map(ApiAccess::namesLoopback).orElse(true);
    }

    /** Whether the {@code Host} value {@code host} is {@code localhost} or a loopback address, with any port. */
    private static boolean namesLoopback(String host) {
        String name = host.trim();
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            return end > 0 && isLoopback(name.substring(1, end));
        }
        int colon = name.lastIndexOf(':');
        name = colon >= 0 ? name.substring(0, colon) : name;
        // Only a literal address is parsed: resolving a name would ask the DNS the rebinding page controls.
        return name.equalsIgnoreCase("localhost") || isLoopback(name);
    }

    /** Whether {@code address} is a literal loopback address (a name is never looked up). */
    private static boolean isLoopback(String address) {
        return AddressRange.literal(address).map(InetAddress::isLoopbackAddress).orElse(false);
    }
}
