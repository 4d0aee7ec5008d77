package dev.berth.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.WritableRepository;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.MutableClock;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget's rounds over a stored mirrored image: what each reports, that they save the access records, and when
 * stored blobs call a round early. Rounds are run by hand, as the scheduler would.
 */
class DiskBudgetTest {
    private static final RepoName BUSYBOX = RepoName.of("docker.io/library/busybox");

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private LocalRegistry registry;
    private AccessIndex access;

    @BeforeEach
    void open() {
        FileSystemStorage storage = new FileSystemStorage(root);
        registry = new LocalRegistry(storage, 4 << 20, 0);
        access = AccessIndex.load(storage, clock);
    }

    @Test
    void eachRoundReportsWhatItFoundAndEvicted() {
        long image = storeImage();
        assertEquals(List.of(image + " 3 " + image, "0 0 0"), twoRounds(0));
    }

    @Test
    void withoutABudgetRoundsCountWhatIsMirroredAndEvictNothing() {
        long image = storeImage();
        assertEquals(List.of(image + " 0 0", image + " 0 0"), twoRounds(Long.MAX_VALUE));
    }

    @Test
    void aRoundSavesTheAccessRecords() {
        Digest used = Digest.sha256(TestData.bytes(10, 1));
        access.touch(used);

        budget(Long.MAX_VALUE, BudgetEvents.NONE, Runnable::run).run();

        assertTrue(Files.exists(root.resolve("access-index")), "saved by the round");
        assertEquals(access.lastAccess(used), AccessIndex.load(new FileSystemStorage(root), clock).lastAccess(used));
    }

    /** A burst of stored blobs between scheduled rounds: the one that passes the budget calls one round early. */
    @Test
    void blobsStoredPastTheBudgetCallOneEarlyRound() {
        Queue<Runnable> earlyRounds = new ConcurrentLinkedQueue<>();
        DiskBudget budget = budget(1000, BudgetEvents.NONE, earlyRounds::add);

        budget.stored(600);
        assertTrue(earlyRounds.isEmpty(), "within the budget");
        budget.stored(600);
        budget.stored(600);
        assertEquals(1, earlyRounds.size(), "the second passed the budget; the third found a round pending");

        earlyRounds.remove().run();
        budget.stored(600);
        assertTrue(earlyRounds.isEmpty(), "the round counted nothing mirrored: the estimate starts again from there");
        budget.stored(600);
        assertEquals(1, earlyRounds.size(), "once a round ran, the next blob past the budget calls another");
    }

    /** What two rounds with a budget of {@code maxBytes} reported: used, evicted, bytes. */
    private List<String> twoRounds(long maxBytes) {
        List<String> rounds = new ArrayList<>();
        DiskBudget budget = budget(maxBytes, (used, digests, bytes) -> rounds.add(used + " " + digests + " " + bytes),
                Runnable::run);
        budget.run();
        budget.run();
        return rounds;
    }

    private DiskBudget budget(long maxBytes, BudgetEvents events, Executor rounds) {
        Evictor evictor = new Evictor(registry, maxBytes, name -> name.value().startsWith("docker.io/"), Set::of,
                access::lastAccess);
        return new DiskBudget(evictor, access, events, rounds);
    }

    /** Stores a mirrored image of a config and a layer; returns its size, manifest included. */
    private long storeImage() {
        WritableRepository repo = registry.repository(BUSYBOX);
        byte[] config = TestData.utf8("{\"os\":\"linux\"}");
        byte[] layer = TestData.bytes(3000, 2);
        for (byte[] blob : List.of(config, layer)) {
            repo.putBlob(new ByteArrayInputStream(blob), Digest.sha256(blob));
        }
        byte[] manifest = TestData.ociManifest(config, layer);
        repo.putManifest(new Reference.Tag("latest"), manifest, MediaTypes.OCI_MANIFEST);
        return config.length + layer.length + manifest.length;
    }
}
