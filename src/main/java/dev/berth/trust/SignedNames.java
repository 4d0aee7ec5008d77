package dev.berth.trust;

import dev.berth.config.BerthConfig;
import dev.berth.oci.RepoName;
import java.net.URI;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@link SignedName} of a stored repository: a mirrored one ({@code docker.io/myorg/app}) is signed as its path
 * on its registry under the registry's name or the upstream's address; a private one under its own name.
 */
final class SignedNames {
    private final BerthConfig.Mirror mirror;
    private final Function<RepoName, Optional<String>> mirroredFrom;

    SignedNames(BerthConfig.Mirror mirror, Function<RepoName, Optional<String>> mirroredFrom) {
        this.mirror = mirror;
        this.mirroredFrom = mirroredFrom;
    }

    SignedName of(RepoName stored) {
        Optional<String> registry = mirroredFrom.apply(stored);
        if (registry.isEmpty()) {
            return new SignedName(stored.toString(), Set.of());
        }
        Set<String> hosts = new HashSet<>();
        hosts.add(registry.get());
        mirror.upstreams().stream().filter(u -> u.registry().equals(registry.get()))
                .map(u -> URI.create(u.url()).getAuthority()).forEach(hosts::add);
        return new SignedName(stored.toString().substring(registry.get().length() + 1), Set.copyOf(hosts));
    }
}
