package dev.berth.http;

import dev.berth.auth.AccessRules;
import dev.berth.auth.Action;
import dev.berth.auth.Principal;
import dev.berth.oci.RepoName;
import dev.berth.registry.Registry;
import dev.berth.registry.Repository;
import java.util.Optional;
import java.util.Set;

/**
 * The access rules applied to repositories as the router resolves them: the one rules object that the registry API,
 * Docker's search, the token endpoint and the admin API all ask. Built once by the assembly.
 */
public final class RepositoryAccess {
    private final AccessRules rules;
    private final Registry registry;

    public RepositoryAccess(AccessRules rules, Registry registry) {
        this.rules = rules;
        this.registry = registry;
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
        return rules.allowed(who, repository.name().value(), repository.isMirror());
    }

    /** The repository a name written without {@code ns} stands for (the router only builds it: no I/O). */
    Repository resolve(RepoName name) {
        return registry.repository(name, Optional.empty());
    }
}
