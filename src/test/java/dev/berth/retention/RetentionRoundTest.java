package dev.berth.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cluster.RoundGate;
import dev.berth.config.BerthConfig;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.NameGlob;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.PushedTag;
import dev.berth.registry.WritableRepository;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.MutableClock;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A round over a stored repository: it removes what the dry run showed, then collects; never on another's turn. */
class RetentionRoundTest {
    private static final RepoName APP = RepoName.of("team/app");
    private static final List<BerthConfig.RetentionRule> KEEP_ONE = List.of(new BerthConfig.RetentionRule(
            List.of(NameGlob.of("team/*")), OptionalInt.of(1), List.of(), Duration.ofMinutes(1)));

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.now());
    private final AtomicInteger collections = new AtomicInteger();
    private LocalRegistry registry;

    @BeforeEach
    void pushThreeTags() {
        registry = new LocalRegistry(new FileSystemStorage(root), 4 << 20, 0);
        WritableRepository app = registry.repository(APP);
        for (int i = 1; i <= 3; i++) {
            byte[] config = TestData.utf8("{\"build\":" + i + "}");
            app.putBlob(new ByteArrayInputStream(config), Digest.sha256(config));
            app.putManifest(new Reference.Tag("t" + i), TestData.ociManifest(config), MediaTypes.OCI_MANIFEST);
        }
        // Past untagged-after: the images of removed tags go in the same round.
        clock.advance(Duration.ofMinutes(2));
    }

    private Retention retention(RoundGate gate) {
        return new Retention(registry, name -> true, KEEP_ONE, (name, tag) -> false, RetentionEvents.NONE, clock,
                Runnable::run, gate, collections::incrementAndGet);
    }

    @Test
    void aRoundRemovesWhatTheDryRunShowedThenCollects() {
        Retention retention = retention(RoundGate.alone());
        RetentionReport dryRun = retention.dryRun();
        assertEquals(List.of("t2", "t1"), dryRun.repositories().getFirst().removedTags().stream()
                .map(PushedTag::tag).toList());
        assertEquals(3, registry.repository(APP).tags().size(), "a dry run removes nothing");

        retention.roundSoon();
        assertEquals(List.of("t3"), registry.repository(APP).tags());
        RetentionReport round = retention.lastRound().orElseThrow();
        assertEquals(dryRun.repositories().getFirst().removedTags(), round.repositories().getFirst().removedTags());
        assertEquals(2, round.removedManifests());
        assertEquals(1, registry.images(APP).revisions().size());
        assertEquals(1, collections.get(), "a collection follows a round that removed something");

        retention.round();
        assertEquals(0, retention.lastRound().orElseThrow().removedTags());
        assertEquals(1, collections.get(), "none after a round that removed nothing");
    }

    @Test
    void aRepositoryAnotherWriterHoldsIsSkippedUntilTheNextRound() throws Exception {
        Retention retention = retention(RoundGate.alone());
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Another thread holds the repository as a push's links would, until released.
        Thread writer = Thread.ofVirtual().start(() -> registry.whileNoPush(APP, () -> {
            holding.countDown();
            awaitUninterruptibly(release);
            return null;
        }));
        assertTrue(holding.await(10, TimeUnit.SECONDS));
        try {
            retention.round();
        } finally {
            release.countDown();
            writer.join();
        }
        RepositoryPlan skipped = retention.lastRound().orElseThrow().repositories().getFirst();
        assertEquals(List.of("team/app was skipped: a push to it was under way; the next round sees to it"),
                skipped.warnings());
        assertEquals(List.of("t3", "t2", "t1"), skipped.keptTags().stream().map(PushedTag::tag).toList());
        assertEquals(3, registry.repository(APP).tags().size());
        assertEquals(0, collections.get());

        retention.round();
        assertEquals(List.of("t3"), registry.repository(APP).tags());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void onAnotherInstancesTurnARoundRemovesNothing() {
        Retention retention = retention(RoundGate.never());
        retention.round();
        assertEquals(3, registry.repository(APP).tags().size());
        assertTrue(retention.lastRound().isEmpty());
        assertEquals(0, collections.get());
    }
}
