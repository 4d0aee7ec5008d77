package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.config.ConfigLoader;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessRulesTest {
    private static final Principal ALICE = Principal.user("alice");
    private static final Principal BOB = Principal.user("bob");

    private static AccessRules rules(String authYaml) {
        return new AccessRules(ConfigLoader.fromYaml(authYaml).auth());
    }

    @Test
    void withoutAuthenticationEveryoneMayDoEverything() {
        AccessRules open = new AccessRules(ConfigLoader.defaults().auth());
        assertEquals(EnumSet.allOf(Action.class), open.allowed(Principal.ANONYMOUS, "team/app", false));
    }

    @Test
    void withoutRulesUsersMayDoEverythingAndAnonymousUsersPullMirrorsOnly() {
        AccessRules rules = rules("auth: {htpasswd: /etc/htpasswd}");
        assertEquals(EnumSet.allOf(Action.class), rules.allowed(ALICE, "team/app", false));
        assertEquals(Set.of(), rules.allowed(Principal.ANONYMOUS, "team/app", false));
        assertEquals(Set.of(Action.PULL), rules.allowed(Principal.ANONYMOUS, "docker.io/library/busybox", true));
    }

    @Test
    void theFirstMatchingRuleDecidesForUsers() {
        AccessRules rules = rules("""
                auth:
                  htpasswd: /etc/htpasswd
                  groups: {devs: [alice]}
                  anonymous: {mirrored: none, private: pull}
                  rules:
                    - {repositories: ['team/secret*'], pull: [alice]}
                    - {repositories: ['team/*', 'shared'], pull: ['*'], push: ['@devs'], delete: [bob]}
                """);
        assertEquals(Set.of(Action.PULL), rules.allowed(ALICE, "team/secret-app", false));
        assertEquals(Set.of(Action.PULL), rules.allowed(BOB, "team/secret-app", false), "anonymous users' pull");
        assertEquals(EnumSet.of(Action.PULL, Action.PUSH), rules.allowed(ALICE, "team/app", false));
        assertEquals(EnumSet.of(Action.PULL, Action.DELETE), rules.allowed(BOB, "shared", false));
        assertEquals(EnumSet.allOf(Action.class), rules.allowed(BOB, "elsewhere", false), "no rule matches");
        assertEquals(Set.of(), rules.allowed(Principal.ANONYMOUS, "docker.io/library/busybox", true));
        assertEquals(Set.of(Action.PULL), rules.allowed(Principal.ANONYMOUS, "team/app", false));
    }

    @Test
    void aGroupOfTheUsersIdentityProviderCountsAsAConfiguredGroupDoes() {
        AccessRules rules = rules("""
                auth:
                  htpasswd: /etc/htpasswd
                  groups: {devs: [nobody], ops: [nobody]}
                  rules:
                    - {repositories: ['team/*'], pull: ['*'], push: ['@devs'], admin: ['@ops']}
                """);
        Principal dev = Principal.user("carol", Set.of("devs"));
        assertEquals(EnumSet.of(Action.PULL, Action.PUSH), rules.allowed(dev, "team/app", false));
        assertEquals(Set.of(Action.PULL), rules.allowed(Principal.user("carol"), "team/app", false));
        assertEquals(true, rules.administers(Principal.user("dave", Set.of("ops")), "team/app"));
        assertEquals(false, rules.administers(dev, "team/app"));
    }

    @Test
    void administratorsAreWhomTheMatchingRuleNamesOrAnyRuleWhereNoneMatches() {
        AccessRules none = rules("auth: {htpasswd: /etc/htpasswd}");
        assertEquals(true, none.administers(ALICE, "docker.io/library/busybox"), "no rules: every user");
        assertEquals(false, none.administers(Principal.ANONYMOUS, "docker.io/library/busybox"));
        assertEquals(false, none.administersAny(Principal.ANONYMOUS));

        AccessRules rules = rules("""
                auth:
                  htpasswd: /etc/htpasswd
                  groups: {ops: [alice]}
                  rules:
                    - {repositories: ['team/*'], pull: ['*'], admin: [bob]}
                    - {repositories: ['docker.io/*'], pull: ['*'], admin: ['@ops']}
                """);
        assertEquals(true, rules.administers(BOB, "team/app"));
        assertEquals(false, rules.administers(ALICE, "team/app"));
        assertEquals(true, rules.administers(ALICE, "docker.io/library/busybox"));
        assertEquals(false, rules.administers(BOB, "docker.io/library/busybox"));
        assertEquals(true, rules.administers(BOB, "elsewhere"), "no rule matches: an administrator of any");
        assertEquals(false, rules.administers(Principal.user("carol"), "elsewhere"));
        assertEquals(true, rules.administersAny(ALICE));
        assertEquals(false, rules.administersAny(Principal.user("carol")));
    }

    @Test
    void scopesParseAsTheTokenFlowWritesThem() {
        assertEquals(List.of(new Scope("team/app", EnumSet.of(Action.PULL, Action.PUSH)),
                        new Scope("library/busybox", Set.of(Action.PULL))),
                Scope.parse(List.of("repository:team/app:push,pull repository:library/busybox:pull",
                        "registry:catalog:*")));
        assertEquals("repository:team/app:pull,push",
                new Scope("team/app", EnumSet.of(Action.PUSH, Action.PULL)).toString());
    }
}
