package dev.berth.http;

import dev.berth.auth.Action;
import dev.berth.auth.Caller;
import dev.berth.auth.Credentials;
import dev.berth.auth.CredentialsRefused;
import dev.berth.auth.Principal;
import dev.berth.auth.Scope;
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
 * Authentication and authorization of registry requests: who the caller is (through the one
 * {@link CredentialsReader}), and whether the access rules and the token's scope let it do what it asks, answered
 * as the registry API answers (OCI errors, a {@link Challenge}). Without {@code auth.htpasswd} it lets everything
 * through.
 */
final class AccessControl {
    private final BerthConfig.Auth config;
    private final CredentialsReader credentials;
    private final RepositoryAccess access;
    private final Challenge challenge;
    private final Acts acts;

    AccessControl(BerthConfig.Auth config, CredentialsReader credentials, RepositoryAccess access, String service,
                  Acts acts) {
        this.config = config;
        this.acts = acts;
        this.credentials = credentials;
        this.access = access;
        this.challenge = new Challenge(config.scheme(), service);
    }

    /**
     * Who sent {@code req}; wrong credentials or a bad token are a 401 with a challenge. A write that a browser sent
     * for a web page is a 403 before any credentials are looked at (see {@link #refuseWebPages}).
     */
    Caller authenticate(ServerRequest req) {
        Method method = req.prologue().method();
        if (method != Method.GET && method != Method.HEAD) {
            refuseWebPages(req);
        }
        Caller caller;
        try {
            caller = credentials.read(req);
        } catch (CredentialsRefused e) {
            throw refusal(req, e, req.headers().first(HeaderNames.AUTHORIZATION).flatMap(AccessControl::basicUser));
        }
        caller.principal().user().ifPresent(user -> RequestUser.set(req, user));
        return caller;
    }

    /**
     * A 403 DENIED for a request a browser sent on behalf of a web page: another site's page can make the browser
     * POST, PUT or DELETE without reading the answer ({@code fetch} with {@code mode: "no-cors"}), with the Basic
     * credentials the browser holds for berth, and a page behind a rebound name passes for berth's own origin.
     * Registry clients send no {@code Origin} nor {@code Sec-Fetch-Site} and pass.
     */
    void refuseWebPages(ServerRequest req) {
        SameOrigin.pageSent(req).ifPresent(why -> {
            String message = "berth takes no registry writes from a web page through a browser: " + why;
            throw new RegistryException(OciError.DENIED, message).withMessage(message);
        });
    }

    /** The user name and password of Basic credentials (what follows {@code Basic }); a 401 when malformed. */
    Credentials.Password decodeBasic(ServerRequest req, String basicCredentials) {
        return Credentials.Password.decodeBasic(basicCredentials).orElseThrow(() ->
                refusal(req, new CredentialsRefused(CredentialsRefused.Reason.MALFORMED), Optional.empty()));
    }

    /**
     * The user, when {@code password} is theirs; a 401 otherwise, after a delay when the client or the account keeps
     * failing; a 429 when it is being slowed down and has an attempt in flight already.
     */
    Principal login(ServerRequest req, String user, String password) {
        try {
            return loggedIn(req, credentials.password(req, user, password).principal());
        } catch (CredentialsRefused e) {
            throw refusal(req, e, Optional.of(user));
        }
    }

    /** A 401 with a challenge saying {@code message}: a login that an upstream deciding itself refused. */
    RegistryException unauthorized(ServerRequest req, String message) {
        return challenge.unauthorized(req, message, Optional.empty(), false).withMessage(message);
    }

    /**
     * Refused credentials as the registry API answers them: a 401 with a challenge, or a 429 from the throttle. Each
     * is a failed login for the audit trail, of {@code user} when the credentials named one.
     */
    RegistryException refusal(ServerRequest req, CredentialsRefused e, Optional<String> user) {
        acts.loginFailed(req, user, e.reason().name());
        if (e.reason() == CredentialsRefused.Reason.THROTTLED) {
            return new RegistryException(OciError.TOOMANYREQUESTS, e.getMessage())
                    .withHeader("Retry-After", e.retryAfterSeconds());
        }
        if (e.reason() == CredentialsRefused.Reason.UNAVAILABLE) {
            // Never a 401, which would tell the client its password is wrong.
            return ErrorResponses.accountsUnavailable(e.getMessage());
        }
        if (e.reason() == CredentialsRefused.Reason.UNAVAILABLE) {
            return ErrorResponses.accountsUnavailable(e.getMessage());
        }
        return challenge.unauthorized(req, e.getMessage(), Optional.empty(),
                e.reason() == CredentialsRefused.Reason.INVALID_TOKEN);
    }

    private Principal loggedIn(ServerRequest req, Principal who) {
        acts.loggedIn(req, who);
        return who;
    }

    /** The user that {@code Authorization: Basic} credentials name, if they do. */
    private static Optional<String> basicUser(String authorization) {
        String value = authorization.trim();
        return value.regionMatches(true, 0, "Basic ", 0, 6)
                ? Credentials.Password.decodeBasic(value.substring(6)).map(Credentials.Password::user)
                : Optional.empty();
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
        if (access.upstreamDecides(repository)) {
            authorizeByUpstream(req, caller, requested, repository, action);
            return;
        }
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

    /**
     * For a repository whose upstream decides ({@code access: caller}), only a pull that the caller's token carries
     * the upstream's grant for passes: the token endpoint records that grant under the stored name, which names the
     * upstream, so a grant for the same name elsewhere (another upstream, {@code ns}) never counts. Anything else is a
     * 401 whose challenge asks for pull of the stored name, which a token request resolves without {@code ns}, so
     * that a client logged in with its upstream login fetches it (containerd adds a challenge's scope to its own).
     */
    private void authorizeByUpstream(ServerRequest req, Caller caller, RepoName requested, Repository repository,
                                     Action action) {
        String stored = repository.name().value();
        if (action == Action.PULL && caller.token().map(t -> t.grants(stored, Action.PULL)).orElse(false)) {
            return;
        }
        String registry = access.registryOf(repository);
        String message = (action == Action.PULL ? "" : action.scopeName() + " is not possible here; ") + "to pull "
                + requested + ", log in to berth with your own " + registry + " user name and password (or token): "
                + registry + " decides who may pull it";
        throw challenge.unauthorized(req, message, Optional.of(new Scope(stored, EnumSet.of(Action.PULL))),
                false).withMessage(message);
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
}
