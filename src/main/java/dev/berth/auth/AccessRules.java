package dev.berth.auth;

import dev.berth.config.BerthConfig;
import dev.berth.oci.NameGlob;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may do what with which repository. Anonymous users may only pull, where {@code auth.anonymous} allows it. An
 * authenticated user gets what the first rule matching the repository's name grants (plus what anonymous users may);
 * where no rule matches, every authenticated user may do everything. Mirrored repositories stay read-only whatever
 * is granted here: the mirror refuses writes itself, with a message that says where to push instead. Without
 * {@code auth.htpasswd}, everyone may do everything.
 *
 * <p>Administration (warming, deleting cached images, pinning: the admin API's actions) is granted apart from the
 * registry's actions and never to anonymous users: without rules every authenticated user is an administrator; with
 * rules, a user is an administrator of a repository when the first rule matching it names them under {@code admin},
 * and of a repository no rule matches when any rule does. Where authentication is off, whether a caller administers
 * is the HTTP layer's decision (berth's own host only), not the rules'.
 *
 * <p>An access token's holder may do what the token names and its creator may do, both at once, plus what anonymous
 * users may; it administers nothing.
 */
public final class AccessRules {
    private static final Set<Action> EVERYTHING = EnumSet.allOf(Action.class);

    private final BerthConfig.Auth config;
    private final List<CompiledRule> rules;

    public AccessRules(BerthConfig.Auth config) {
        this.config = config;
        this.rules = config.rules().stream().map(CompiledRule::new).toList();
    }

    /** The actions {@code who} may take on the repository stored as {@code repository}. */
    public Set<Action> allowed(Principal who, String repository, boolean mirrored) {
        if (!config.enabled()) {
            return EVERYTHING;
        }
        Set<Action> allowed = EnumSet.noneOf(Action.class);
        if (who.token().isPresent()) {
            // The creator's rights are judged again at every use, by the rules and auth.groups as they are now.
            TokenGrant grant = who.token().get();
            allowed.addAll(allowed(grant.creator(), repository, mirrored));
            allowed.retainAll(grant.actionsOn(repository));
        }
        if (mirrored ? config.anonymousPullsMirrored() : config.anonymousPullsPrivate()) {
            allowed.add(Action.PULL);
        }
        if (who.user().isPresent() && who.token().isEmpty()) {
            rules.stream().filter(rule -> rule.matches(repository)).findFirst().ifPresentOrElse(
                    rule -> allowed.addAll(rule.grants(who, config.groups())),
                    () -> allowed.addAll(EVERYTHING));
        }
        return allowed;
    }

    /** Whether {@code who} administers the repository stored as {@code repository} (with authentication on). */
    public boolean administers(Principal who, String repository) {
        if (who.token().isPresent()) {
            return false;
        }
        if (who.user().isEmpty() || rules.isEmpty()) {
            return who.user().isPresent();
        }
        return rules.stream().filter(rule -> rule.matches(repository)).findFirst()
                .map(rule -> CompiledRule.names(rule.rule().admin(), who, config.groups()))
                .orElseGet(() -> administersAny(who));
    }

    /**
     * Whether {@code who} administers anything: the right to see and run what is not one repository's (warm jobs,
     * statistics).
     */
    public boolean administersAny(Principal who) {
        if (who.token().isPresent()) {
            return false;
        }
        if (who.user().isEmpty() || rules.isEmpty()) {
            return who.user().isPresent();
        }
        return rules.stream().anyMatch(rule -> CompiledRule.names(rule.rule().admin(), who, config.groups()));
    }

    /** One configured rule with its globs compiled. */
    private record CompiledRule(List<NameGlob> globs, BerthConfig.Rule rule) {
        CompiledRule(BerthConfig.Rule rule) {
            this(rule.repositories().stream().map(NameGlob::of).toList(), rule);
        }

        boolean matches(String repository) {
            return globs.stream().anyMatch(g -> g.matches(repository));
        }

        Set<Action> grants(Principal who, Map<String, List<String>> groups) {
            Set<Action> granted = EnumSet.noneOf(Action.class);
            if (names(rule.pull(), who, groups)) {
                granted.add(Action.PULL);
            }
            if (names(rule.push(), who, groups)) {
                granted.add(Action.PUSH);
            }
            if (names(rule.delete(), who, groups)) {
                granted.add(Action.DELETE);
            }
            return granted;
        }

        /**
         * Whether a rule's list names the user: directly, by {@code *}, or through {@code @group} (of
         * {@code auth.groups}, or of the user's identity provider).
         */
        private static boolean names(List<String> entries, Principal who, Map<String, List<String>> groups) {
            String user = who.user().orElseThrow();
            return entries.stream().anyMatch(entry -> entry.equals("*") || entry.equals(user)
                    || (entry.startsWith("@") && (who.groups().contains(entry.substring(1))
                    || groups.getOrDefault(entry.substring(1), List.of()).contains(user))));
        }
    }
}
