package dev.berth.trust;

import dev.berth.config.BerthConfig;
import dev.berth.oci.NameGlob;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One {@code policy[]} entry with its keys read: the repositories it covers, the keys one of which must have signed,
 * and whether an unsigned manifest is refused or only reported. {@code keySet} names the keys for caches.
 */
record PolicyRule(List<NameGlob> repositories, List<TrustedKey> keys, BerthConfig.PolicyMode mode, String keySet) {
    /** The rule of {@code entry}, its keys taken from {@code loaded} (each file read once for every rule). */
    static PolicyRule of(BerthConfig.Policy entry, Map<Path, TrustedKey> loaded) {
        List<TrustedKey> keys = entry.keys().stream().map(file -> loaded.computeIfAbsent(file, TrustedKey::load))
                .toList();
        String keySet = keys.stream().map(TrustedKey::fingerprint).sorted().distinct()
                .collect(Collectors.joining(","));
        return new PolicyRule(entry.repositories(), keys, entry.mode(), keySet);
    }

    boolean covers(String repository) {
        return repositories.stream().anyMatch(glob -> glob.matches(repository));
    }

    boolean enforces() {
        return mode == BerthConfig.PolicyMode.ENFORCE;
    }
}
