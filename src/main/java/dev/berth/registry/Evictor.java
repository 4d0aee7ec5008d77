package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.Storage;
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
 * Keeps the blobs linked by evictable (mirrored, unpinned) repositories within a byte budget, least recently used
 * first. A blob that any other repository links, that is a stored manifest, or that is pinned, is neither counted nor
 * evicted. Manifests are kept: they are small, and the blobs they name are fetched again on demand.
 *
 * <p>One pass lists every repository's {@code _layers} and {@code _manifests/revisions} and stats each evictable
 * blob once; each eviction lists the repositories again under the digest's lock, so a private link made meanwhile
 * (by a push, a mount, a new repository) is always seen. That is one directory walk per evicted blob, paid only while
 * over budget.
 */
public final class Evictor {
    private final LocalRegistry registry;
    private final Storage storage;
    private final LinkGuard guard;
    private final long maxBytes;
    private final Predicate<RepoName> evictable;
    private final Supplier<Set<Digest>> pinned;
    private final Function<Digest, Optional<Instant>> lastAccess;

    Evictor(LocalRegistry registry, Storage storage, LinkGuard guard, long maxBytes, Predicate<RepoName> evictable,
            Supplier<Set<Digest>> pinned, Function<Digest, Optional<Instant>> lastAccess) {
        this.registry = registry;
        this.storage = storage;
        this.guard = guard;
        this.maxBytes = maxBytes;
        this.evictable = evictable;
        this.pinned = pinned;
        this.lastAccess = lastAccess;
    }

    /** What one pass found in use (before evicting), and what it evicted. */
    public record Result(long usedBytes, int blobs, long bytes) {
    }

    /** Evicts least recently used evictable blobs until their total is within the budget. */
    public Result evict() {
        Map<Digest, Long> sizes = evictableBlobs();
        long used = sizes.values().stream().mapToLong(Long::longValue).sum();
        long remaining = used;
        int blobs = 0;
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
                blobs++;
                bytes += sizes.get(digest);
                remaining -= sizes.get(digest);
            }
        }
        return new Result(used, blobs, bytes);
    }

    /** Blobs linked as layers by evictable repositories only, with their sizes. */
    private Map<Digest, Long> evictableBlobs() {
        Set<Digest> candidates = new HashSet<>();
        Set<Digest> kept = new HashSet<>(pinned.get());
        for (RepoName name : registry.repositories()) {
            (evictable.test(name) ? candidates : kept).addAll(StoredDigests.under(storage, Paths.layers(name)));
            kept.addAll(StoredDigests.under(storage, Paths.revisions(name)));
        }
        candidates.removeAll(kept);
        Map<Digest, Long> sizes = new HashMap<>();
        for (Digest digest : candidates) {
            storage.stat(Paths.blob(digest)).ifPresent(info -> sizes.put(digest, info.size()));
        }
        return sizes;
    }

    /** When the blob was last used: as recorded, else when it was stored. */
    private Instant lastAccess(Digest digest) {
        return lastAccess.apply(digest).or(() -> storage.stat(Paths.blob(digest)).map(ObjectInfo::modified))
                .orElse(Instant.EPOCH);
    }

    /**
     * Under the digest's lock: unless a repository that is not evictable links it (as a layer or a manifest), removes
     * its links from evictable repositories and the blob itself.
     */
    private boolean evictLocked(Digest digest) {
        List<String> links = new ArrayList<>();
        for (RepoName name : registry.repositories()) {
            boolean linked = storage.stat(Paths.layerLink(name, digest)).isPresent();
            if (storage.stat(Paths.manifestLink(name, digest)).isPresent() || linked && !evictable.test(name)) {
                return false;
            }
            if (linked) {
                links.add(Paths.layerLink(name, digest));
            }
        }
        // Links first: a reader that finds no link asks the upstream again rather than finding a link to nothing.
        links.forEach(storage::delete);
        return storage.delete(Paths.blob(digest));
    }
}
