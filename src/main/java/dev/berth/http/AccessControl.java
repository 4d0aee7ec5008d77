package dev.berth.http;

import dev.berth.auth.Action;
import dev.berth.auth.BasicCredentials;
import dev.berth.auth.Logins;
import dev.berth.auth.Principal;
import dev.berth.auth.Scope;
import dev.berth.auth.Tokens;
import dev.berth.auth.TooManyLogins;
import dev.berth.auth.VerifiedToken;
import dev.berth.config.BerthConfig;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.Repository;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Authentication and authorization of API requests: who the caller is (Basic credentials, a token from berth's
 * token endpoint, or nobody), and whether the access rules and the token's scope let it do what it asks. Without
 * {@code auth.htpasswd} it lets everything through.
 */
final class AccessControl {
    private final BerthConfig.Auth config;
    private final Logins logins;
    private final RepositoryAccess access;
    private final Tokens tokens;
    private final Challenge challenge;

    AccessControl(BerthConfig.Auth config, Logins logins, Tokens tokens, RepositoryAccess access) {
        this.config = config;
        this.logins = logins;
        this.access = access;
        this.tokens = tokens;
        this.challenge = new Challenge(config.scheme(), tokens.service());
    }

    /**
     * Who sent {@code req}; wrong credentials or a bad token are a 401 with a challenge. A write that a browser sent
     * for another web site's page is a 403 before any credentials are looked at (see {@link #refuseOtherSites}).
     */
    Caller authenticate(ServerRequest req) {
        Method method = req.prologue().method();
        if (method != Method.GET && method != Method.HEAD) {
            refuseOtherSites(req);
        }
        if (!config.enabled()) {
            return Caller.ANONYMOUS;
        }
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isEmpty()) {
            return Caller.ANONYMOUS;
        }
        String value = header.get().trim();
        Caller caller;
        if (startsWithIgnoringCase(value, "Bearer ")) {
            VerifiedToken token = tokens.verify(value.substring(7).trim()).orElseThrow(() ->
                    challenge.unauthorized(req, "the token is invalid or has expired", Optional.empty(), true));
            caller = new Caller(token.principal(), Optional.of(token));
        } else if (startsWithIgnoringCase(value, "Basic ")) {
            caller = new Caller(loginBasic(req, value.substring(6).trim()), Optional.empty());
        } else {
            throw challenge.unauthorized(req, "unsupported Authorization scheme", Optional.empty(), false);
        }
        caller.principal().user().ifPresent(user -> RequestUser.set(req, user));
        return caller;
    }

    /**
     * A 403 DENIED for a request a browser sent on behalf of a page of another origin: such a page can make the
     * browser POST, PUT or DELETE without reading the answer ({@code fetch} with {@code mode: "no-cors"}), with the
     * Basic credentials the browser holds for berth. Registry clients send no {@code Origin} and pass.
     */
    void refuseOtherSites(ServerRequest req) {
        SameOrigin.refusal(req).ifPresent(why -> {
            String message = "berth takes no writes from another web site's page through a browser: " + why;
            throw new RegistryException(OciError.DENIED, message).withMessage(message);
        });
    }

    /** The user whose Basic credentials these are; a 401 when they are wrong. */
    Principal loginBasic(ServerRequest req, String basicCredentials) {
        BasicCredentials credentials = BasicCredentials.decode(basicCredentials).orElseThrow(() ->
                challenge.unauthorized(req, "malformed Basic credentials", Optional.empty(), false));
        return login(req, credentials.user(), credentials.password());
    }

    /**
     * The user, when {@code password} is theirs; a 401 otherwise, after a delay when the client or the account keeps
     * failing; a 429 when it is being slowed down and has an attempt in flight already.
     */
    Principal login(ServerRequest req, String user, String password) {
        try {
            return logins.login(Requests.clientAddress(req), user, password).orElseThrow(() ->
                    challenge.unauthorized(req, "wrong user name or password", Optional.empty(), false));
        } catch (TooManyLogins e) {
            throw new RegistryException(OciError.TOOMANYREQUESTS, e.getMessage())
                    .withHeader("Retry-After", e.retryAfterSeconds());
        }
    }

    /** {@code GET /v2/}: with authentication on, it answers 200 only to a caller with credentials or a token. */
    void requireCredentials(ServerRequest req, Caller caller) {
        if (config.enabled() && !caller.presentedCredentials()) {
            throw challenge.unauthorized(req, "authentication required", Optional.empty(), false);
        }
    }

    /**
     * Checks that {@code caller} may take {@code action} on {@code repository}, which the request named
     * {@code requested}: a 401 with a challenge when logging in (or a token with a wider scope) could help, else a
     * 403 DENIED.
     */
    void authorize(ServerRequest req, Caller caller, RepoName requested, Repository repository, Action action) {
        Set<Action> allowed = access.allowed(caller.principal(), repository);
        boolean scoped = inScope(caller, requested, action);
        if (allowed.contains(action) && scoped) {
            return;
        }
        if (caller.principal().isAnonymous() || (allowed.contains(action) && !scoped)) {
            Set<Action> wanted = action == Action.PUSH ? EnumSet.of(Action.PULL, Action.PUSH) : EnumSet.of(action);
            throw challenge.unauthorized(req, "authentication required to " + action.scopeName() + " " + requested,
                    Optional.of(new Scope(requested.value(), wanted)), false);
        }
        throw new RegistryException(OciError.DENIED, caller.principal().user().get()
                + " may not " + action.scopeName() + " " + requested);
    }

    /** Whether {@code caller} may pull the repository stored as {@code name} (for the catalog). */
    boolean canPull(Caller caller, String name) {
        return access.canPull(caller.principal(), name);
    }

    /** The source of a cross-repository mount, when {@code caller} may pull from it. */
    Optional<Repository> mountSource(Caller caller, RepoName from) {
        Repository source = access.resolve(from);
        boolean readable = access.allowed(caller.principal(), source).contains(Action.PULL)
                && inScope(caller, from, Action.PULL);
        return readable ? Optional.of(source) : Optional.empty();
    }

    /** What a token for {@code who} asking for {@code requested} may grant: each scope cut to what the rules allow. */
    List<Scope> grant(Principal who, List<Scope> requested) {
        return requested.stream().filter(s -> RepoName.isValid(s.repository())).map(s -> {
            Set<Action> actions = EnumSet.noneOf(Action.class);
            actions.addAll(s.actions());
            actions.retainAll(access.allowed(who, access.resolve(RepoName.of(s.repository()))));
            return new Scope(s.repository(), actions);
        }).filter(s -> !s.actions().isEmpty()).toList();
    }


    /** Whether the caller's token, when it came with one, covers {@code action} on the name the client wrote. */
    private static boolean inScope(Caller caller, RepoName requested, Action action) {
        return caller.token().map(t -> t.grants(requested.value(), action)).orElse(true);
    }

    private static boolean startsWithIgnoringCase(String value, String prefix) {
        return value.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
