package dev.berth.http;

import dev.berth.auth.AccessRules;
import dev.berth.auth.Action;
import dev.berth.auth.CallerAccess;
import dev.berth.auth.Principal;
import dev.berth.oci.RepoName;
import dev.berth.registry.Registry;
import dev.berth.registry.Repository;
import java.util.Optional;
import java.util.Set;

/**
 * The access rules applied to repositories as the router resolves them: the one rules object that the registry API,
 * Docker's search, the token endpoint and the admin API all ask. Built once by the assembly. The rules grant nothing on
 * the repositories of an upstream that decides itself who may pull ({@code access: caller}): only a token carrying the
 * upstream's answer does, so they are listed to nobody (catalog, search, the page).
 */
public final class RepositoryAccess {
    private final AccessRules rules;
    private final Registry registry;
    private final CallerAccess callers;

    public RepositoryAccess(AccessRules rules, Registry registry, CallerAccess callers) {
        this.rules = rules;
        this.registry = registry;
        this.callers = callers;
    }

    /** Whether {@code who} may pull the repository stored as {@code name} (an invalid name: no). */
    public boolean canPull(Principal who, String name) {
        return RepoName.isValid(name) && allowed(who, resolve(RepoName.of(name))).contains(Action.PULL);
    }

    /** Whether {@code who} administers the repository stored as {@code name} (with authentication on). */
    public boolean administers(Principal who, String name) {
        return rules.administers(who, name);
    }

    /** Whether {@code who} administers anything (with authentication on). */
    public boolean administersAny(Principal who) {
        return rules.administersAny(who);
    }

    /** What the rules let {@code who} do with {@code repository}, judged by the name it is stored under. */
    Set<Action> allowed(Principal who, Repository repository) {
        if (upstreamDecides(repository)) {
            return Set.of();
        }
        return rules.allowed(who, repository.name().value(), repository.isMirror());
    }

    /** Whether {@code repository}'s upstream, asked with the caller's own login, decides who may pull it. */
    boolean upstreamDecides(Repository repository) {
        return repository.isMirror() && callers.upstreamDecides(repository.name().value());
    }

    /** The registry that decides who may pull {@code repository}, one {@link #upstreamDecides} is true of. */
    String registryOf(Repository repository) {
        return callers.registryOf(repository.name().value());
    }

    /** The repository a name written without {@code ns} stands for (the router only builds it: no I/O). */
    Repository resolve(RepoName name) {
        return registry.repository(name, Optional.empty());
    }
}
