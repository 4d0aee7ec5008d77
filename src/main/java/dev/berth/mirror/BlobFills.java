package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The blob downloads under way, one per digest across all upstreams and repositories: a client asking for a blob
 * that is being fetched joins that fetch instead of starting another.
 */
final class BlobFills {
    /**
     * A download, the repository it was started for, its links (one per repository that joined it, done once it is
     * stored), and its end: stored and linked, or failed; and forgotten.
     */
    private record Running(BlobFill fill, RepoName repository, ConcurrentMap<RepoName, CompletableFuture<Void>> links,
                           CompletableFuture<Void> ended) {
    }

    private final BlobStore blobs;
    private final LongConsumer stored;
    private final FillMemory memory;
    private final Consumer<Digest> ended;
    private final ConcurrentMap<Digest, Running> running = new ConcurrentHashMap<>();

    /**
     * Downloads into {@code blobs}, telling {@code stored} the size of each blob stored, holding what the spools have
     * not written yet in {@code memory}, and telling {@code ended} of each download that ended (stored and linked, or
     * failed) before it stops counting as running.
     */
    BlobFills(BlobStore blobs, LongConsumer stored, FillMemory memory, Consumer<Digest> ended) {
        this.blobs = blobs;
        this.stored = stored;
        this.memory = memory;
        this.ended = ended;
    }

    /**
     * A repository whose client asks for a blob, as a download sees it: where the bytes come from when the download
     * starts for it, whether it has a blob another repository brought in, and its link to the stored blob.
     */
    interface Requester {
        /** The repository's name, as the blob is cached under. */
        RepoName name();

        /** Where the bytes come from, when the download of {@code digest} starts for this repository. */
        FillSource source(Digest digest);

        /** Returns when this repository has the blob (its upstream's to say), else throws BLOB_UNKNOWN. */
        void confirmHas(Digest digest);

        /** Links the stored and verified blob into this repository. */
        void link(Digest digest);
    }

    /**
     * Joins the download of {@code digest} for {@code requester}, starting it from the requester's source when none
     * runs, for one client to open ({@link BlobFill#open}); the requester's link is made once the blob is stored and
     * verified, once per repository however many of its clients join. A download started for another repository is
     * joined only once the requester confirmed it has the blob: the bytes match the digest whoever asked, but whether
     * this repository holds them is its upstream's to say. Empty when the blob is already stored.
     */
    Optional<BlobFill> join(Digest digest, Requester requester) {
        RepoName repository = requester.name();
        boolean[] started = new boolean[1];
        Running run = running.computeIfAbsent(digest, d -> {
            if (blobs.size(d).isPresent()) {
                return null;
            }
            started[0] = true;
            return new Running(new BlobFill(d, blobs, requester.source(d), memory), repository,
                    new ConcurrentHashMap<>(), new CompletableFuture<>());
        });
        if (run == null) {
            return Optional.empty();
        }
        BlobFill fill = run.fill();
        CompletableFuture<Void> linked = joined(run, digest, requester);
        if (started[0]) {
            // Told once linked, so that a budget round it calls counts the blob. Removed only then: a request in
            // between would otherwise find the blob stored but not linked, and the download counts as running until
            // all its work is done.
            linked.thenRun(() -> blobs.size(digest).ifPresent(stored::accept))
                    .whenComplete((ok, error) -> {
                        ended.accept(digest);
                        running.remove(digest, run);
                        run.ended().complete(null);
                    });
            Thread.ofVirtual().name("berth-fill-" + digest.hex().substring(0, 12)).start(fill);
        }
        return Optional.of(fill);
    }

    /**
     * Joins the download of {@code digest} for {@code requester} as {@link #join} does, but only one that runs now:
     * empty when none does, without asking the store anything, so that the many clients of a blob being fetched cost
     * no request to the store each (on S3, a HEAD apiece).
     */
    Optional<BlobFill> joinRunning(Digest digest, Requester requester) {
        Running run = running.get(digest);
        if (run == null) {
            return Optional.empty();
        }
        joined(run, digest, requester);
        return Optional.of(run.fill());
    }

    /** Confirms that {@code requester} may join {@code run} and makes its link; returns that link. */
    private static CompletableFuture<Void> joined(Running run, Digest digest, Requester requester) {
        if (!run.repository().equals(requester.name())) {
            requester.confirmHas(digest);
        }
        // Once per repository, not per client: the fill runs every link before its state says stored, and a client
        // that comes in between waits for them all (a peer's relay among them, and with it the peer's clients).
        return run.links().computeIfAbsent(requester.name(),
                r -> run.fill().stored().thenRun(() -> requester.link(digest)));
    }

    /** How many downloads run now. */
    int inFlight() {
        return running.size();
    }

    /** Waits until the downloads running now have ended, for at most {@code timeout}; false if some still run. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        CompletableFuture<?>[] ends = running.values().stream().map(Running::ended).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ends).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("an end never fails", e);
        }
    }
}
