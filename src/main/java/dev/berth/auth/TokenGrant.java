package dev.berth.auth;

import dev.berth.oci.NameGlob;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What an access token lets its holder do: at most {@code actions} on the repositories {@code repositories} match, and
 * never more than {@code creator} may do (the rules are asked for the creator again at every use). {@code id} tells
 * this token from an earlier one of the same name, so that registry tokens issued from a revoked one stay dead.
 */
public record TokenGrant(String id, Principal creator, List<NameGlob> repositories, Set<Action> actions) {
    public TokenGrant {
        repositories = List.copyOf(repositories);
        actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
    }

    /** The actions the token names for the repository stored as {@code repository}: all of them or none. */
    Set<Action> actionsOn(String repository) {
        return repositories.stream().anyMatch(glob -> glob.matches(repository)) ? actions : Set.of();
    }
}
