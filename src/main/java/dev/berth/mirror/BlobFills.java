package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.registry.BlobContent;
import dev.berth.registry.BlobStore;
import dev.berth.upstream.UpstreamBlob;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The blob downloads under way, one per digest across all upstreams and repositories: a client asking for a blob
 * that is being fetched joins that fetch instead of starting another.
 */
final class BlobFills {
    private final BlobStore blobs;
    private final LongConsumer stored;
    private final ConcurrentMap<Digest, BlobFill> running = new ConcurrentHashMap<>();

    /** Downloads into {@code blobs}, telling {@code stored} the size of each blob stored. */
    BlobFills(BlobStore blobs, LongConsumer stored) {
        this.blobs = blobs;
        this.stored = stored;
    }

    /**
     * Joins the download of {@code digest}, starting it from {@code source} when none runs, and opens it for one
     * client; {@code onStored} runs once the blob is stored and verified. Empty when the blob is already stored.
     */
    Optional<BlobContent> join(Digest digest, Supplier<UpstreamBlob> source, Runnable onStored) {
        BlobFill[] started = new BlobFill[1];
        BlobFill fill = running.computeIfAbsent(digest, d -> {
            if (blobs.size(d).isPresent()) {
                return null;
            }
            started[0] = new BlobFill(d, blobs, source);
            return started[0];
        });
        if (fill == null) {
            return Optional.empty();
        }
        CompletableFuture<Void> linked = fill.committed().thenRun(onStored);
        if (started[0] != null) {
            // Removed only once linked: a request in between would otherwise find the blob stored but not linked.
            linked.whenComplete((ok, error) -> running.remove(digest, fill))
                    // Told once linked, so that a budget round it calls counts the blob.
                    .thenRun(() -> blobs.size(digest).ifPresent(stored::accept));
            Thread.ofVirtual().name("berth-fill-" + digest.hex().substring(0, 12)).start(fill);
        }
        return Optional.of(fill.open());
    }

    /** How many downloads run now. */
    int inFlight() {
        return running.size();
    }
}
