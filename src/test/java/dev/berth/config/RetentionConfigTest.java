package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code retention.rules} and {@code immutable}: what they read into, and every bad value stopping berth by name. */
class RetentionConfigTest {
    private static final String HUB = "mirror: {upstreams: [{registry: docker.io, url: 'http://hub', default: true}]}\n"
            + "private: {repositories: ['team/*']}\n";

    @Test
    void rulesReadWithTheirDefaults() {
        BerthConfig c = ConfigLoader.fromYaml(HUB + """
                retention:
                  rules:
                    - {repositories: ['team/*'], keep-last: 10, keep-tags: ['v*', latest], untagged-after: 7d}
                    - {repositories: [team/tools], keep-last: 0}
                    - {repositories: [team/ci]}
                immutable:
                  - {repositories: ['team/*'], tags: ['v*']}
                """);
        BerthConfig.RetentionRule first = c.retention().getFirst();
        assertEquals(OptionalInt.of(10), first.keepLast());
        assertTrue(first.keepTags().get(0).matches("v1.2.0") && first.keepTags().get(1).matches("latest"));
        assertEquals(Duration.ofDays(7), first.untaggedAfter());
        assertTrue(first.matches("team/app") && !first.matches("other/app"));
        assertEquals(OptionalInt.of(0), c.retention().get(1).keepLast(), "keep-last: 0 keeps only keep-tags");
        assertEquals(OptionalInt.empty(), c.retention().get(2).keepLast(), "absent: every tag stays");
        assertEquals(Duration.ofDays(1), c.retention().get(2).untaggedAfter());
        assertTrue(c.immutable().getFirst().covers("team/app", "v1.2.0"));
        assertFalse(c.immutable().getFirst().covers("team/app", "latest"));
        assertEquals(List.of(), ConfigLoader.defaults().retention());
    }

    @Test
    void badValuesNameTheKey() {
        assertEquals("retention.rules.0.keep-last: not a count: '-1' (expected a whole number of at least 0)",
                fails("retention: {rules: [{repositories: ['team/*'], keep-last: -1}]}"));
        assertTrue(fails("retention: {rules: [{repositories: ['team/*'], keep-lats: 3}]}")
                .startsWith("unknown configuration key: retention.rules.0.keep-lats (did you mean"));
        assertTrue(fails("retention: {rules: [{repositories: ['team/*'], untagged-after: soon}]}")
                .startsWith("retention.rules.0.untagged-after: not a duration: 'soon'"));
        assertTrue(fails("retention: {rules: [{repositories: ['Team/*']}]}")
                .startsWith("retention.rules.0.repositories: Team/* is not a repository name glob"));
        assertTrue(fails("retention: {rules: [{repositories: ['team/*'], keep-tags: ['v 1']}]}")
                .startsWith("retention.rules.0.keep-tags: v 1 is not a tag glob"));
        assertTrue(fails("retention: {rules: [{keep-last: 3}]}")
                .startsWith("retention.rules.0.repositories must list at least one name glob"));
        assertTrue(fails("immutable: [{repositories: ['team/*']}]").startsWith("immutable.0.tags must list"));
        assertTrue(fails("immutable: [{repositories: ['team/*'], tags: ['*:x']}]")
                .startsWith("immutable.0.tags: *:x is not a tag glob"));
    }

    @Test
    void aRuleThatCouldNameAMirroredRepositoryIsRefused() {
        assertEquals("retention.rules.0.repositories: docker.io/library/* could match names under docker.io/, where"
                        + " berth keeps its cache of upstream docker.io: retention rules are for private repositories only",
                fails(HUB + "retention: {rules: [{repositories: ['docker.io/library/*'], keep-last: 1}]}"));
        assertTrue(fails(HUB + "retention: {rules: [{repositories: ['*'], keep-last: 1}]}")
                .startsWith("retention.rules.0.repositories: * could match names under docker.io/"));
        assertTrue(fails(HUB + "immutable: [{repositories: ['docker.io/*'], tags: ['v*']}]")
                .startsWith("immutable.0.repositories: docker.io/* could match names under docker.io/"));
    }

    @Test
    void aBadRuleStopsBerthWithExitStatus2AndOneLine() throws IOException {
        ExternalCommand.Result result = ChildBerth.runUntilExit(
                "retention: {rules: [{repositories: ['team/*'], untagged-after: 7days}]}\n");
        assertEquals(2, result.exitCode(), result::stderr);
        assertEquals("berth: bad configuration: retention.rules.0.untagged-after: not a duration: '7days' (expected a"
                + " number with a unit: 500ms, 2s, 5m, 1h, 7d)\n", result.stderr());
    }

    private static String fails(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.fromYaml(yaml)).getMessage();
    }
}
