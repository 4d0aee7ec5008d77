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
    void scopesParseAsTheTokenFlowWritesThem() {
        assertEquals(List.of(new Scope("team/app", EnumSet.of(Action.PULL, Action.PUSH)),
                        new Scope("library/busybox", Set.of(Action.PULL))),
                Scope.parse(List.of("repository:team/app:push,pull repository:library/busybox:pull",
                        "registry:catalog:*")));
        assertEquals("repository:team/app:pull,push",
                new Scope("team/app", EnumSet.of(Action.PUSH, Action.PULL)).toString());
    }
}
