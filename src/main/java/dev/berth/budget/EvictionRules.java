package dev.berth.budget;

import dev.berth.config.BerthConfig;
import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import java.util.Set;
import java.util.stream.Collectors;

/** What the disk budget may evict, by the configuration: mirrored repositories that {@code cache.pin} spares. */
public final class EvictionRules {
    private final EvictableNames evictable;
    private final PinnedTags pinnedTags;

    /** The rules of {@code config} over the content stored in {@code local}, with the tags {@code pins} keeps. */
    public EvictionRules(BerthConfig config, LocalRegistry local, PinStore pins) {
        Set<String> registries = config.mirror().upstreams().stream().map(BerthConfig.Upstream::registry)
                .collect(Collectors.toSet());
        this.evictable = new EvictableNames(registries, config.privateRepos().repositories(),
                config.cache().pinRepositories());
        this.pinnedTags = new PinnedTags(local, pins, config.cache().pinTags());
    }

    /** Whether the disk budget may evict from the stored repository {@code name}: cached, and not pinned. */
    public boolean isEvictable(RepoName name) {
        return evictable.test(name);
    }

    /**
     * The manifests that the tags of {@code cache.pin} and the pinned ones point at now, with the per-platform
     * manifests of an index and the blobs they all need: the disk budget never evicts them.
     */
    public Set<Digest> pinned() {
        return pinnedTags.digests();
    }
}
