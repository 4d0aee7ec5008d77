package dev.berth.http;

import dev.berth.auth.Action;
import dev.berth.auth.CallerAccess;
import dev.berth.auth.Credentials;
import dev.berth.auth.CredentialsRefused;
import dev.berth.auth.Principal;
import dev.berth.auth.Scope;
import dev.berth.auth.UpstreamLogins;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.Repository;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Who a token of the token endpoint is for and what it grants. A login whose name is one of berth's accounts is
 * berth's: checked against the account, granted what the rules allow, and never sent to an upstream, so it gets
 * nothing of an upstream that decides itself ({@code access: caller}). Any other login, where such an upstream is
 * configured, is taken as the caller's login at that upstream: berth asks the upstream, with it, for each such
 * repository the client wants, and grants pull where the upstream did (recorded under the stored name, which names
 * the upstream); for berth's other repositories it is anonymous. A login the upstream refuses is a 401.
 */
final class TokenGrants {
    /**
     * The most repositories of such upstreams one token request may have berth ask about: a pull asks one (two with
     * a cross-repository mount), and each is a request upstream.
     */
    private static final int MAX_ASKED = 8;

    /**
     * Who the token is for, what it grants, and how long at most it may last: no longer than an upstream's decision
     * in it is remembered ({@code access-ttl}).
     */
    record Grant(Principal who, List<Scope> access, Duration atMost) {
        /** A grant of berth's own rules, which lasts the configured token lifetime. */
        Grant(Principal who, List<Scope> access) {
            this(who, access, ChronoUnit.FOREVER.getDuration());
        }
    }

    private final AccessControl access;
    private final RepositoryAccess repositories;
    private final CallerAccess callers;

    TokenGrants(AccessControl access, RepositoryAccess repositories, CallerAccess callers) {
        this.access = access;
        this.repositories = repositories;
        this.callers = callers;
    }

    /** The grant for {@code login} (empty: anonymous) asking for {@code requested}. */
    Grant grant(ServerRequest req, Optional<Credentials.Password> login, List<Scope> requested) {
        if (login.isEmpty()) {
            return new Grant(Principal.ANONYMOUS, access.grant(Principal.ANONYMOUS, requested));
        }
        String user = login.get().user();
        String password = login.get().password();
        if (!callers.anyUpstreamDecides() || callers.berthAccount(user)) {
            Principal who = access.login(req, user, password);
            return new Grant(who, access.grant(who, requested));
        }
        List<Scope> granted = new ArrayList<>(access.grant(Principal.ANONYMOUS, requested));
        List<Scope> toAsk = requested.stream()
                .filter(scope -> scope.actions().contains(Action.PULL) && upstreamDecides(scope).isPresent()).toList();
        if (toAsk.stream().map(Scope::repository).distinct().count() > MAX_ASKED) {
            String message = "a token may carry pull of at most " + MAX_ASKED + " repositories whose upstream"
                    + " decides who may pull (access: caller); ask for fewer at a time";
            throw new RegistryException(OciError.DENIED, message).withMessage(message);
        }
        Duration atMost = ChronoUnit.FOREVER.getDuration();
        for (Scope scope : toAsk) {
            String stored = upstreamDecides(scope).orElseThrow().name().value();
            UpstreamLogins.Answer answer = ask(req, () -> callers.pull(ClientKey.of(req), user, password, stored));
            if (answer == UpstreamLogins.Answer.REFUSED) {
                throw access.unauthorized(req, callers.registryOf(stored) + " refused the login of " + user
                        + ", which berth asked it for pull of " + scope.repository()
                        + ": log in to berth with your own "
                        + callers.registryOf(stored) + " user name and password (or token)");
            }
            if (answer == UpstreamLogins.Answer.GRANTED) {
                granted.add(new Scope(stored, Set.of(Action.PULL)));
                Duration remembered = callers.remembered(stored);
                atMost = remembered.compareTo(atMost) < 0 ? remembered : atMost;
            }
        }
        if (toAsk.isEmpty() && ask(req, () -> callers.login(ClientKey.of(req), user, password))
                == UpstreamLogins.Answer.REFUSED) {
            throw access.unauthorized(req, "wrong user name or password: " + user + " is no account of berth's,"
                    + " and no upstream that decides who may pull (access: caller) took the login");
        }
        return new Grant(Principal.ANONYMOUS, granted, atMost);
    }

    /** The repository {@code scope} names, when its upstream decides who may pull it. */
    private Optional<Repository> upstreamDecides(Scope scope) {
        if (!RepoName.isValid(scope.repository())) {
            return Optional.empty();
        }
        Repository repository = repositories.resolve(RepoName.of(scope.repository()));
        return repositories.upstreamDecides(repository) ? Optional.of(repository) : Optional.empty();
    }

    /** The upstream's answer; a 503 when it cannot tell in time, a 429 when the login throttle holds it back. */
    private UpstreamLogins.Answer ask(ServerRequest req, Supplier<UpstreamLogins.Answer> question) {
        try {
            return question.get();
        } catch (UpstreamLogins.Unanswered e) {
            throw new RegistryException(OciError.UNAVAILABLE, e.getMessage()).withMessage(e.getMessage());
        } catch (CredentialsRefused e) {
            throw access.refusal(req, e, Optional.empty());
        }
    }
}
