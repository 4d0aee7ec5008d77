package dev.berth.budget;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.storage.ObjectInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Keeps the blobs and manifests linked by evictable (mirrored, unpinned) repositories within a byte budget, least
 * recently used first. A digest that any other repository links (as a layer or a manifest), or that is pinned, is
 * neither counted nor evicted. Evicting a manifest removes its revision and the tags pointing at it; the next pull of
 * the tag or digest fetches it from the upstream again.
 *
 * <p>One pass lists every repository's layers and manifests and stats each evictable digest once; each eviction is
 * {@link LocalRegistry#evict}, which lists the repositories again under the digest's lock, so a private link made
 * meanwhile (by a push, a mount, a new repository) is always seen. That is one directory walk per evicted digest,
 * paid only while over budget.
 */
public final class Evictor {
    private final LocalRegistry registry;
    private final long maxBytes;
    private final Predicate<RepoName> evictable;
    private final Supplier<Set<Digest>> pinned;
    private final Function<Digest, Optional<Instant>> lastAccess;

    /**
     * An evictor keeping the blobs and manifests of the repositories {@code evictable} accepts, {@code pinned} digests
     * excepted, within {@code maxBytes}, least recently used first by {@code lastAccess} (a digest it does not know
     * counts as used when it was stored).
     */
    public Evictor(LocalRegistry registry, long maxBytes, Predicate<RepoName> evictable, Supplier<Set<Digest>> pinned,
                   Function<Digest, Optional<Instant>> lastAccess) {
        this.registry = registry;
        this.maxBytes = maxBytes;
        this.evictable = evictable;
        this.pinned = pinned;
        this.lastAccess = lastAccess;
    }

    /** What one pass found in use (before evicting), and what it evicted: {@code digests}, blobs and manifests. */
    public record Result(long usedBytes, int digests, long bytes) {
    }

    /** The budget, in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Evicts least recently used evictable blobs and manifests until their total is within the budget. */
    public Result evict() {
        Map<Digest, Long> sizes = evictableDigests();
        long used = sizes.values().stream().mapToLong(Long::longValue).sum();
        if (used <= maxBytes) {
            // Within the budget (always, without one): no order of eviction to work out.
            return new Result(used, 0, 0);
        }
        long remaining = used;
        int digests = 0;
        long bytes = 0;
        List<Digest> oldestFirst = new ArrayList<>(sizes.keySet());
        Map<Digest, Instant> accessed = new HashMap<>();
        oldestFirst.forEach(d -> accessed.put(d, lastAccess(d)));
        oldestFirst.sort(Comparator.comparing(accessed::get));
        for (Digest digest : oldestFirst) {
            if (remaining <= maxBytes) {
                break;
            }
            if (registry.evict(digest, evictable)) {
                digests++;
                bytes += sizes.get(digest);
                remaining -= sizes.get(digest);
            }
        }
        return new Result(used, digests, bytes);
    }

    /** Digests linked (as layers or manifests) by evictable repositories only, with their sizes. */
    private Map<Digest, Long> evictableDigests() {
        Set<Digest> candidates = new HashSet<>();
        Set<Digest> kept = new HashSet<>(pinned.get());
        for (RepoName name : registry.repositories()) {
            (evictable.test(name) ? candidates : kept).addAll(registry.linkedDigests(name));
        }
        candidates.removeAll(kept);
        Map<Digest, Long> sizes = new HashMap<>();
        for (Digest digest : candidates) {
            registry.blobs().size(digest).ifPresent(size -> sizes.put(digest, size));
        }
        return sizes;
    }

    /** When the digest was last used: as recorded, else when it was stored. */
    private Instant lastAccess(Digest digest) {
        return lastAccess.apply(digest).or(() -> registry.blobs().stat(digest).map(ObjectInfo::modified))
                .orElse(Instant.EPOCH);
    }
}
