package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.Storage;
import java.time.Duration;
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
 * <p>One pass lists every repository's {@code _layers} and {@code _manifests/revisions} and stats each evictable
 * digest once; each eviction lists the repositories again under the digest's lock, so a private link made meanwhile
 * (by a push, a mount, a new repository) is always seen. That is one directory walk per evicted digest, paid only
 * while over budget.
 */
public final class Evictor {
    /** How recent a link mark keeps a digest from eviction: a link under way, give or take the store's clock. */
    private static final Duration MARK_MARGIN = Duration.ofMinutes(2);
    private final LocalRegistry registry;
    private final Storage storage;
    private final BlobStore blobs;
    private final LinkGuard guard;
    private final long maxBytes;
    private final Predicate<RepoName> evictable;
    private final Supplier<Set<Digest>> pinned;
    private final Function<Digest, Optional<Instant>> lastAccess;

    Evictor(LocalRegistry registry, Storage storage, BlobStore blobs, LinkGuard guard, long maxBytes,
            Predicate<RepoName> evictable, Supplier<Set<Digest>> pinned,
            Function<Digest, Optional<Instant>> lastAccess) {
        this.registry = registry;
        this.storage = storage;
        this.blobs = blobs;
        this.guard = guard;
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
            if (guard.holding(digest, () -> evictLocked(digest))) {
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
            Set<Digest> linked = evictable.test(name) ? candidates : kept;
            linked.addAll(StoredDigests.under(storage, Paths.layers(name)));
            linked.addAll(StoredDigests.under(storage, Paths.revisions(name)));
        }
        candidates.removeAll(kept);
        Map<Digest, Long> sizes = new HashMap<>();
        for (Digest digest : candidates) {
            blobs.size(digest).ifPresent(size -> sizes.put(digest, size));
        }
        return sizes;
    }

    /** When the digest was last used: as recorded, else when it was stored. */
    private Instant lastAccess(Digest digest) {
        return lastAccess.apply(digest).or(() -> blobs.stat(digest).map(ObjectInfo::modified))
                .orElse(Instant.EPOCH);
    }

    /**
     * Under the digest's lock: unless a repository that is not evictable links it (as a layer or a manifest), removes
     * it from the evictable repositories that link it (layer links, manifest revisions and their tags), then the blob.
     */
    private boolean evictLocked(Digest digest) {
        // On a shared store another instance may be linking it right now (a private mount of a mirrored blob): its
        // mark says so, where this process's locks cannot.
        Instant recently = Instant.now().minus(MARK_MARGIN);
        if (guard.linkedElsewhereAt(digest).filter(at -> at.isAfter(recently)).isPresent()) {
            return false;
        }
        List<RepoName> linking = new ArrayList<>();
        for (RepoName name : registry.repositories()) {
            if (storage.stat(Paths.layerLink(name, digest)).isPresent()
                    || storage.stat(Paths.manifestLink(name, digest)).isPresent()) {
                if (!evictable.test(name)) {
                    return false;
                }
                linking.add(name);
            }
        }
        // Links first: a reader that finds no link asks the upstream again rather than finding a link to nothing.
        linking.forEach(name -> registry.local(name).evict(digest));
        return blobs.delete(digest);
    }
}
