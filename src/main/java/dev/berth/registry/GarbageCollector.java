package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Online mark and sweep of content no manifest needs. First, per repository, the layer links that none of its
 * manifests references (what deleting a manifest leaves behind); then the blobs that no repository links, as a layer
 * or a manifest. Both only when untouched for the grace period, so a blob pushed before its manifest survives.
 * Pushes and pulls go on meanwhile: {@link LinkGuard} keeps a link made during the collection from losing its blob.
 */
public final class GarbageCollector {
    private final LocalRegistry registry;
    private final Storage storage;
    private final BlobStore blobs;
    private final ManifestStore manifests;
    private final LinkGuard guard;
    private final Duration grace;
    private final Clock clock;

    GarbageCollector(LocalRegistry registry, Storage storage, BlobStore blobs, ManifestStore manifests,
                     LinkGuard guard, Duration grace, Clock clock) {
        this.registry = registry;
        this.storage = storage;
        this.blobs = blobs;
        this.manifests = manifests;
        this.guard = guard;
        this.grace = grace;
        this.clock = clock;
    }

    /** What one collection removed, and the repositories it skipped because pushes to them were under way. */
    public record Result(int links, int blobs, long bytes, int busyRepositories) {
    }

    /** Runs one collection. */
    public Result collect() {
        Instant cutoff = clock.instant().minus(grace);
        guard.startCollection();
        try {
            int links = 0;
            int busy = 0;
            Set<Digest> linked = new HashSet<>();
            for (RepoName name : registry.repositories()) {
                Optional<Integer> unlinked = guard.tryExclusive(name, () -> unlinkUnreferencedLayers(name, cutoff));
                links += unlinked.orElse(0);
                busy += unlinked.isEmpty() ? 1 : 0;
                digests(Paths.layers(name)).stream().filter(d -> exists(Paths.layerLink(name, d))).forEach(linked::add);
                digests(Paths.revisions(name)).stream().filter(d -> exists(Paths.manifestLink(name, d)))
                        .forEach(linked::add);
            }
            int deleted = 0;
            long bytes = 0;
            for (Digest digest : digests(Paths.BLOBS)) {
                Optional<ObjectInfo> info = blobs.stat(digest);
                if (info.isEmpty()) {
                    // A directory with no blob: a mark or location record that an upload with a wrong digest, or
                    // an assembly that never completed, left on a shared store. Nothing reads it; it goes.
                    removeLeftovers(digest, cutoff);
                    continue;
                }
                if (!linked.contains(digest) && isStale(info.get(), cutoff)
                        && guard.deleteUnlessLinked(digest, () -> isStale(digest, cutoff)
                        && blobs.delete(digest))) {
                    deleted++;
                    bytes += info.get().size();
                }
            }
            return new Result(links, deleted, bytes, busy);
        } finally {
            guard.endCollection();
        }
    }

    private void removeLeftovers(Digest digest, Instant cutoff) {
        if (!linkedElsewhereSince(digest, cutoff)) {
            guard.holding(digest, () -> blobs.stat(digest).isEmpty() && blobs.delete(digest));
        }
    }

    private int unlinkUnreferencedLayers(RepoName name, Instant cutoff) {
        Set<Digest> referenced = new HashSet<>();
        for (Digest revision : digests(Paths.revisions(name))) {
            Optional<StoredManifest> stored = manifests.read(name, revision);
            if (stored.isEmpty()) {
                continue;
            }
            try {
                ManifestParser.parse(stored.get().bytes(), stored.get().mediaType(), revision.algorithm())
                        .requiredBlobs().forEach(d -> referenced.add(d.digest()));
            } catch (RegistryException e) {
                // A manifest we cannot read may reference anything: keep every link of this repository.
                return 0;
            }
        }
        int unlinked = 0;
        for (Digest layer : digests(Paths.layers(name))) {
            String link = Paths.layerLink(name, layer);
            if (!referenced.contains(layer) && isStale(link, cutoff) && storage.delete(link)) {
                unlinked++;
            }
        }
        return unlinked;
    }

    private boolean exists(String key) {
        return storage.stat(key).isPresent();
    }

    /** The blob and, in a shared store, its last link by any instance, are older than the cutoff. */
    private boolean isStale(Digest digest, Instant cutoff) {
        return blobs.stat(digest).filter(info -> isStale(info, cutoff)).isPresent()
                && !linkedElsewhereSince(digest, cutoff);
    }

    /** Whether another instance sharing the store linked the digest at or after the cutoff (its mark says so). */
    private boolean linkedElsewhereSince(Digest digest, Instant cutoff) {
        return guard.linkedElsewhereAt(digest).filter(at -> !at.isBefore(cutoff)).isPresent();
    }

    private boolean isStale(String key, Instant cutoff) {
        return storage.stat(key).filter(info -> isStale(info, cutoff)).isPresent();
    }

    private static boolean isStale(ObjectInfo info, Instant cutoff) {
        return info.modified().isBefore(cutoff);
    }

    private List<Digest> digests(String prefix) {
        return StoredDigests.under(storage, prefix);
    }
}
