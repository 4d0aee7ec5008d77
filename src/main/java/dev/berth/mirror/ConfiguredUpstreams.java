package dev.berth.mirror;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured upstreams in configuration order, the default one, and the mirrored repositories they hold: a
 * name's upstream found by registry name ({@code ghcr.io/org/app}), and the pull-through repository over the cache
 * of {@code local} that a requested name stands for.
 */
final class ConfiguredUpstreams {
    private final Map<String, MirroredUpstream> byRegistry = new LinkedHashMap<>();
    private final Optional<MirroredUpstream> defaultUpstream;
    private final LocalRegistry local;

    ConfiguredUpstreams(List<MirroredUpstream> upstreams, Optional<String> defaultRegistry, LocalRegistry local) {
        upstreams.forEach(u -> byRegistry.put(u.registry(), u));
        this.defaultUpstream = defaultRegistry.map(byRegistry::get);
        this.local = local;
    }

    /** An upstream named by the first component of a name ({@code ghcr.io/org/app}), and the rest of the name. */
    record Named(MirroredUpstream upstream, RepoName rest) {
    }

    /** The upstream whose registry is {@code name}'s first component, with the rest; empty when none is. */
    Optional<Named> byRegistryName(RepoName name) {
        String value = name.value();
        int slash = value.indexOf('/');
        if (slash <= 0 || !byRegistry.containsKey(value.substring(0, slash))) {
            return Optional.empty();
        }
        return Optional.of(new Named(byRegistry.get(value.substring(0, slash)),
                RepoName.of(value.substring(slash + 1))));
    }

    /** The upstream configured as {@code registry}, or NAME_UNKNOWN naming those berth mirrors. */
    MirroredUpstream byRegistry(String registry) {
        MirroredUpstream upstream = byRegistry.get(registry);
        if (upstream == null) {
            throw new RegistryException(OciError.NAME_UNKNOWN, "berth does not mirror " + registry + mirrorsWhich());
        }
        return upstream;
    }

    Optional<MirroredUpstream> defaultUpstream() {
        return defaultUpstream;
    }

    /** "; it mirrors a, b", or nothing with no upstream configured: the end of a NAME_UNKNOWN message. */
    String mirrorsWhich() {
        return byRegistry.isEmpty() ? "" : "; it mirrors " + String.join(", ", byRegistry.keySet());
    }

    /** The configured registry names. */
    List<String> registries() {
        return List.copyOf(byRegistry.keySet());
    }

    Collection<MirroredUpstream> all() {
        return byRegistry.values();
    }

    /** The pull-through repository of {@code requested} on {@code upstream}, sharing {@code with}. */
    PullThroughRepository repository(MirroredUpstream upstream, RepoName requested, PullThroughShared with) {
        RepoName upstreamName = upstream.upstreamName(requested);
        return new PullThroughRepository(upstreamName, local.cache(upstream.cachedName(upstreamName)), upstream, with);
    }
}
