package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code policy[]} as berth.yaml writes it: what each entry holds, its default mode, and entries that are refused. */
class PolicyConfigTest {
    @Test
    void entriesAreReadInOrderWithEnforceAsTheDefaultMode() {
        BerthConfig c = ConfigLoader.fromYaml("""
                policy:
                  - repositories: ["docker.io/myorg/*", "team/*"]
                    require: signature
                    keys: [/etc/berth/cosign.pub, /etc/berth/rsa.pub]
                  - {repositories: ["ghcr.io/org/*"], require: signature, keys: [k.pub], mode: warn}
                """);
        assertEquals(2, c.policy().size());
        BerthConfig.Policy first = c.policy().get(0);
        assertTrue(first.repositories().get(0).matches("docker.io/myorg/app"));
        assertTrue(first.repositories().get(1).matches("team/app"));
        assertEquals(List.of(Path.of("/etc/berth/cosign.pub"), Path.of("/etc/berth/rsa.pub")), first.keys());
        assertEquals(BerthConfig.PolicyMode.ENFORCE, first.mode());
        assertEquals(BerthConfig.PolicyMode.WARN, c.policy().get(1).mode());
        assertEquals(List.of(), ConfigLoader.defaults().policy(), "no policy unless configured");
    }

    @Test
    void anEntryWithoutRepositoriesKeysOrRequireIsRefused() {
        assertEquals("policy.0 needs repositories (globs, as [\"docker.io/myorg/*\"]) and keys (PEM public key files)",
                refusal("policy:\n  - {repositories: ['team/*'], require: signature}\n"));
        assertEquals("policy.0 needs repositories (globs, as [\"docker.io/myorg/*\"]) and keys (PEM public key files)",
                refusal("policy:\n  - {keys: [k.pub], require: signature}\n"));
        assertEquals("missing configuration key: policy.0.require",
                refusal("policy:\n  - {repositories: ['team/*'], keys: [k.pub]}\n"));
    }

    @Test
    void anUnknownRequirementOrModeIsRefusedNamingTheKey() {
        assertTrue(refusal("policy:\n  - {repositories: ['team/*'], keys: [k.pub], require: sbom}\n")
                .startsWith("policy.0.require: "));
        assertTrue(refusal("policy:\n  - {repositories: ['team/*'], keys: [k.pub], require: signature, mode: audit}\n")
                .startsWith("policy.0.mode: "));
    }

    private static String refusal(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.fromYaml(yaml)).getMessage();
    }
}
