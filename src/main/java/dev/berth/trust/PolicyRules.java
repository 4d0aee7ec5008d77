package dev.berth.trust;

import dev.berth.config.BerthConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The rules of {@code policy[]} with their keys read, at start, before berth touches anything else. */
public record PolicyRules(List<PolicyRule> rules) {
    /** Reads every key file once; IllegalArgumentException naming a file that holds no usable key. */
    public static PolicyRules load(List<BerthConfig.Policy> entries) {
        Map<Path, TrustedKey> keys = new HashMap<>();
        return new PolicyRules(entries.stream().map(entry -> PolicyRule.of(entry, keys)).toList());
    }
}
