package dev.berth.auth;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A repository and the actions on it, as the token flow writes it: {@code repository:team/app:pull,push}. */
public record Scope(String repository, Set<Action> actions) {
    public Scope {
        actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
    }

    /**
     * The repository scopes in a {@code scope} parameter (space-separated, possibly repeated). The action {@code *}
     * asks for every action (skopeo asks so to delete), which the token endpoint then cuts down to what the rules
     * allow, as Docker's token servers do. Other resource types ({@code registry:catalog:*}) and actions berth does not
     * know are left out: they are granted nothing.
     */
    public static List<Scope> parse(List<String> parameters) {
        List<Scope> scopes = new ArrayList<>();
        for (String parameter : parameters) {
            for (String item : parameter.trim().split("\\s+")) {
                int first = item.indexOf(':');
                int last = item.lastIndexOf(':');
                if (first < 0 || first == last || !item.substring(0, first).equals("repository")) {
                    continue;
                }
                Set<Action> actions = EnumSet.noneOf(Action.class);
                for (String action : item.substring(last + 1).split(",")) {
                    if (action.equals("*")) {
                        actions.addAll(EnumSet.allOf(Action.class));
                    }
                    Action.fromScopeName(action).ifPresent(actions::add);
                }
                scopes.add(new Scope(item.substring(first + 1, last), actions));
            }
        }
        return scopes;
    }

    /** As a scope string, actions in a fixed order. */
    @Override
    public String toString() {
        return "repository:" + repository + ":" + actions.stream().sorted().map(Action::scopeName)
                .collect(Collectors.joining(","));
    }
}
