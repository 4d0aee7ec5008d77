package dev.berth.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.Storage;
import dev.berth.support.MutableClock;
import dev.berth.support.TestData;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the access index keeps across a restart, and what a damaged file costs. */
class AccessIndexTest {
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aSavedIndexLoadsWithTheSameTimes() {
        Storage storage = new FileSystemStorage(root);
        AccessIndex index = AccessIndex.load(storage, clock);
        Digest first = Digest.sha256(TestData.bytes(10, 1));
        Digest second = Digest.sha256(TestData.bytes(10, 2));
        index.touch(first);
        clock.advance(Duration.ofMillis(1500));
        index.touch(second);
        index.save();

        AccessIndex loaded = AccessIndex.load(storage, clock);

        assertEquals(Optional.of(clock.instant().minusMillis(1500)), loaded.lastAccess(first));
        assertEquals(Optional.of(clock.instant()), loaded.lastAccess(second));
    }

    @Test
    void aDamagedLineCostsOnlyItsOwnEntry() {
        Storage storage = new FileSystemStorage(root);
        Digest good = Digest.sha256(TestData.bytes(10, 3));
        storage.write(AccessIndex.KEY, ("sha256:nothex 5\n" + good + " 1000\nno-space\n" + good + "x 12\n")
                .getBytes(StandardCharsets.UTF_8));

        AccessIndex loaded = AccessIndex.load(storage, clock);

        assertEquals(Optional.of(Instant.ofEpochMilli(1000)), loaded.lastAccess(good));
    }

    @Test
    void aDamagedLineOfAnyLengthIsSkippedWhole() {
        Storage storage = new FileSystemStorage(root);
        Digest good = Digest.sha256(TestData.bytes(10, 6));
        storage.write(AccessIndex.KEY, ("x".repeat(5_000_000) + "\n" + good + " 2000\n").getBytes(StandardCharsets.UTF_8));

        AccessIndex loaded = AccessIndex.load(storage, clock);

        assertEquals(Optional.of(Instant.ofEpochMilli(2000)), loaded.lastAccess(good));
    }

    @Test
    void anUnchangedIndexIsNotWrittenAgain() {
        Storage storage = new FileSystemStorage(root);
        AccessIndex index = AccessIndex.load(storage, clock);
        index.touch(Digest.sha256(TestData.bytes(10, 4)));
        index.save();
        assertTrue(storage.delete(AccessIndex.KEY));

        index.save();

        assertTrue(storage.stat(AccessIndex.KEY).isEmpty(), "nothing was used since the last save");
    }

    @Test
    void aFullIndexKeepsAtMostItsCapacity() {
        Storage storage = new FileSystemStorage(root);
        AccessIndex index = AccessIndex.load(storage, clock, 10);
        for (int i = 0; i < 50; i++) {
            index.touch(Digest.sha256(TestData.bytes(10, 100 + i)));
        }
        index.save();

        String saved = new String(storage.read(AccessIndex.KEY, 1 << 20).orElseThrow(), StandardCharsets.UTF_8);
        assertEquals(10, saved.lines().count(), saved);
        AccessIndex reloaded = AccessIndex.load(storage, clock, 10);
        long known = IntStream.range(0, 50)
                .filter(i -> reloaded.lastAccess(Digest.sha256(TestData.bytes(10, 100 + i))).isPresent()).count();
        assertEquals(saved.lines().count(), known);
    }

    @Test
    void aFailedSaveIsTriedAgain() {
        Storage storage = new FileSystemStorage(root);
        AccessIndex index = AccessIndex.load(storage, clock);
        index.touch(Digest.sha256(TestData.bytes(10, 5)));
        Path blocked = root.resolve(AccessIndex.KEY);
        assertTrue(blocked.toFile().mkdir(), "a directory where the index goes makes the save fail");

        assertThrows(UncheckedIOException.class, index::save);
        assertTrue(blocked.toFile().delete());
        index.save();

        assertTrue(storage.stat(AccessIndex.KEY).isPresent(), "the second save wrote what the first could not");
    }

    @Test
    void instancesSharingAStoreMergeEachOthersRecordsKeepingTheLaterTime() {
        Storage storage = new FileSystemStorage(root);
        Digest both = Digest.sha256(TestData.bytes(10, 1));
        Digest onlyB = Digest.sha256(TestData.bytes(10, 2));
        AccessIndex a = AccessIndex.loadShared(storage, clock, "a");
        AccessIndex b = AccessIndex.loadShared(storage, clock, "b");
        a.touch(both);
        clock.advance(Duration.ofSeconds(5));
        b.touch(both);
        b.touch(onlyB);
        clock.advance(Duration.ofSeconds(5));
        a.save();
        b.save();

        a.mergeOthers();
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:05Z")), a.lastAccess(both), "b's later use wins");
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:05Z")), a.lastAccess(onlyB));
        AccessIndex restarted = AccessIndex.loadShared(storage, clock, "c");
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:05Z")), restarted.lastAccess(both),
                "a new instance starts from the fleet's order");
    }

    @Test
    void anInstanceGoneForAWeekHasItsRecordsMergedThenDropped() throws Exception {
        Storage storage = new FileSystemStorage(root);
        AccessIndex gone = AccessIndex.loadShared(storage, clock, "gone");
        Digest digest = Digest.sha256(TestData.bytes(10, 3));
        gone.touch(digest);
        gone.save();
        java.nio.file.Files.setLastModifiedTime(root.resolve(AccessIndex.SHARED).resolve("gone"),
                java.nio.file.attribute.FileTime.from(clock.instant()));
        clock.advance(AccessIndex.ABANDONED.minusHours(1));
        AccessIndex.loadShared(storage, clock, "live");
        assertTrue(storage.stat(AccessIndex.SHARED + "/gone").isPresent(), "not a week yet");
        clock.advance(Duration.ofHours(2));
        AccessIndex live = AccessIndex.loadShared(storage, clock, "live");
        assertTrue(live.lastAccess(digest).isPresent(), "merged");
        assertTrue(storage.stat(AccessIndex.SHARED + "/gone").isEmpty(), "then dropped");
    }
}
