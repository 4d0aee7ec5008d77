package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.MutableClock;
import dev.berth.support.Poll;
import dev.berth.support.S3Bucket;
import dev.berth.support.TempTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hot tier over a real S3 server (s3proxy): what it serves, from where, and what it refuses to serve. */
class HotTierStorageTest {
    @RegisterExtension
    static final S3Bucket bucket = new S3Bucket("tier");

    private static final int BLOB = 300_000;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private Path directory;
    private CountingStorage counted;

    @BeforeEach
    void setUp() {
        directory = TempTree.create("hot-tier");
        counted = new CountingStorage(bucket.storage());
    }

    @AfterEach
    void tearDown() {
        TempTree.delete(directory);
    }

    private HotTierStorage tier(long maxBytes) {
        return new HotTierStorage(counted, directory, maxBytes, HotTierStorage.CONFIRM_FOR, clock);
    }

    @Test
    void warmReadsComeFromLocalDiskWithNoBucketGet() throws IOException {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] pulled = StorageContract.bytes(BLOB);
        importThrough(tier, pulled);
        byte[] other = StorageContract.bytes(BLOB + 1);
        bucket.storage().write(key(other), other);

        assertArrayEquals(pulled, readAll(tier, key(pulled)));
        assertEquals(0, counted.gets.get(), "a blob imported through the tier is read from local disk");
        assertArrayEquals(other, readAll(tier, key(other)));
        assertEquals(1, counted.gets.get(), "a blob another instance stored is read from the bucket once");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(other, readAll(tier, key(other)));
            clock.advance(Duration.ofMinutes(1));
        }
        assertEquals(1, counted.gets.get(), "and then from local disk");
        assertEquals(4, tier.hits(), "the reads from local disk");
        assertEquals(counted.gets.get(), tier.misses(), "a miss is a GET of the bucket");
        assertArrayEquals(other, Files.readAllBytes(directory.resolve(entry(other))));
        assertEquals(2L * BLOB + 1, tier.bytes());
    }

    @Test
    void rangesAndOtherKeysPassThroughAndOnlyWholeVerifiedReadsFill() throws IOException {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] blob = StorageContract.bytes(BLOB);
        bucket.storage().write(key(blob), blob);
        try (ObjectReader reader = tier.open(key(blob)).orElseThrow()) {
            assertArrayEquals(Arrays.copyOfRange(blob, 10, BLOB), copy(reader, 10, BLOB - 10));
            try (InputStream start = reader.stream(0)) {
                start.readNBytes(1000);
            }
        }
        assertEquals(0, tier.bytes(), "a range, or a read cut short, leaves no entry");
        assertTrue(entries().isEmpty());
        try (Stream<Path> temporary = Files.list(directory.resolve("tmp"))) {
            assertEquals(0, temporary.count(), "nor a temporary file");
        }

        byte[] liar = StorageContract.bytes(BLOB + 2);
        bucket.storage().write(key(liar), blob);
        assertArrayEquals(blob, readAll(tier, key(liar)), "the bucket's bytes are relayed as they are");
        assertFalse(Files.exists(directory.resolve(entry(liar))), "but bytes that do not hash to the key stay out");

        tier.write("repositories/a/_tags/latest", new byte[] {1});
        assertArrayEquals(new byte[] {1}, tier.read("repositories/a/_tags/latest", 10).orElseThrow());
        assertEquals(0, tier.bytes());
    }

    @Test
    void concurrentColdReadsGetTheBytesAndLeaveOneEntry() throws Exception {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] blob = StorageContract.bytes(2 * BLOB);
        bucket.storage().write(key(blob), blob);
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(readers.submit(() -> readAll(tier, key(blob))));
            }
            for (Future<byte[]> read : reads) {
                assertArrayEquals(blob, read.get(30, TimeUnit.SECONDS));
            }
        } finally {
            readers.shutdownNow();
        }
        assertEquals(entries(blob), entries());
        assertArrayEquals(blob, Files.readAllBytes(directory.resolve(entry(blob))));
        assertEquals(2L * BLOB, tier.bytes());
        try (Stream<Path> temporary = Files.list(directory.resolve("tmp"))) {
            assertEquals(0, temporary.count(), "no temporary file is left");
        }
    }

    @Test
    void fillsUnderWayStayWithinMaxBytes() throws IOException {
        HotTierStorage tier = tier(BLOB + BLOB / 2);
        byte[] first = StorageContract.bytes(BLOB);
        byte[] second = StorageContract.bytes(BLOB + 1);
        bucket.storage().write(key(first), first);
        bucket.storage().write(key(second), second);
        try (ObjectReader reader = tier.open(key(first)).orElseThrow(); InputStream in = reader.stream(0)) {
            byte[] head = in.readNBytes(BLOB / 2);
            assertArrayEquals(second, readAll(tier, key(second)), "the reader gets its bytes");
            assertFalse(Files.exists(directory.resolve(entry(second))), "but no second fill starts beside the first");
            byte[] rest = in.readAllBytes();
            assertArrayEquals(first, concat(head, rest));
        }
        assertEquals(entries(first), entries());
        assertArrayEquals(second, readAll(tier, key(second)));
        assertEquals(entries(second), entries(), "once the first is done, a second fill may run, and evicts it");
    }

    @Test
    void theLeastRecentlyUsedBlobGoesPastMaxBytes() throws IOException {
        HotTierStorage tier = tier(2L * BLOB + BLOB / 2);
        byte[] a = StorageContract.bytes(BLOB);
        byte[] b = StorageContract.bytes(BLOB + 3);
        byte[] c = StorageContract.bytes(BLOB + 5);
        for (byte[] blob : List.of(a, b, c)) {
            bucket.storage().write(key(blob), blob);
        }
        readAll(tier, key(a));
        readAll(tier, key(b));
        readAll(tier, key(a));
        assertEquals(2, counted.gets.get());
        readAll(tier, key(c));
        assertEquals(3, counted.gets.get());

        assertEquals(entries(a, c), entries(), "b was used least recently");
        assertEquals(2L * BLOB + 5, tier.bytes());
        assertArrayEquals(a, readAll(tier, key(a)));
        assertEquals(3, counted.gets.get(), "a is still local");
        assertArrayEquals(b, readAll(tier, key(b)));
        assertEquals(4, counted.gets.get(), "b comes from the bucket again");
        assertTrue(tier.bytes() <= 2L * BLOB + BLOB / 2);

        byte[] huge = StorageContract.bytes(3 * BLOB);
        bucket.storage().write(key(huge), huge);
        assertArrayEquals(huge, readAll(tier, key(huge)));
        assertFalse(Files.exists(directory.resolve(entry(huge))), "a blob larger than the tier is never kept");
    }

    @Test
    void aCorruptTierFileIsDroppedAndTheBucketReadInstead() throws IOException {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] blob = StorageContract.bytes(BLOB);
        importThrough(tier, blob);
        Path file = directory.resolve(entry(blob));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(BLOB - 1);
        }
        assertArrayEquals(blob, readAll(tier, key(blob)), "a short file is not served");
        assertEquals(1, counted.gets.get());

        // The same size with a byte changed, found at the next start: hashed before it is first served.
        assertArrayEquals(blob, Files.readAllBytes(file), "the bucket read filled the tier again");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(1234);
            raf.write(~blob[1234]);
        }
        HotTierStorage restarted = tier(10L * BLOB);
        assertArrayEquals(blob, readAll(restarted, key(blob)), "a changed byte is not served");
        assertEquals(2, counted.gets.get());
        assertArrayEquals(blob, Files.readAllBytes(file));
    }

    @Test
    void aBlobDeletedThroughAnotherInstanceStopsBeingServedWithinTheBound() throws IOException {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] blob = StorageContract.bytes(BLOB);
        importThrough(tier, blob);
        Path otherScratch = directory.resolveSibling(directory.getFileName() + "-other");
        try (S3Storage other = S3Storage.connect(bucket.server().settings(bucket.name()), otherScratch)) {
            other.deleteAll(key(blob).substring(0, key(blob).length() - "/data".length()));
        } finally {
            TempTree.delete(otherScratch);
        }
        clock.advance(HotTierStorage.CONFIRM_FOR.minusMillis(1));
        assertArrayEquals(blob, readAll(tier, key(blob)), "within the bound the last HEAD still stands");

        clock.advance(Duration.ofMillis(2));
        assertTrue(tier.open(key(blob)).isEmpty(), "past it, the HEAD finds the blob gone");
        assertFalse(Files.exists(directory.resolve(entry(blob))), "and its tier file is deleted");
        assertEquals(0, tier.bytes());
        assertEquals(0, counted.gets.get());
    }

    @Test
    void aPushedBlobWhoseBytesAreWhereItsUploadAssembledThemIsKeptAndServedUnderItsOwnKey() throws IOException {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] pushed = StorageContract.bytes(BLOB);
        String assembled = "assembled/upload-1";
        String location = key(pushed).replace("/data", "/location");
        bucket.storage().write(assembled, pushed);
        bucket.storage().write(location, (assembled + "\n").getBytes(StandardCharsets.UTF_8));

        // As berth's blob store reads it: its own key, which the bucket lacks, then the location record's.
        assertTrue(tier.open(key(pushed)).isEmpty());
        assertEquals(assembled, new String(tier.read(location, 1000).orElseThrow(), StandardCharsets.UTF_8).strip());
        assertArrayEquals(pushed, readAll(tier, assembled));
        assertEquals(2, counted.gets.get(), "the location record and the bytes");
        assertEquals(List.of(entry(pushed)), entries());

        clock.advance(Duration.ofMinutes(1));
        assertArrayEquals(pushed, readAll(tier, key(pushed)), "from the tier, under the blob's own key");
        assertEquals(2, counted.gets.get(), "with no GET of the bucket");
        assertEquals(1, tier.misses());
        assertEquals(1, tier.hits());

        // Deleted in the bucket by another instance: the HEAD of where the bytes are finds them gone.
        bucket.storage().delete(assembled);
        clock.advance(HotTierStorage.CONFIRM_FOR.plusMillis(1));
        assertTrue(tier.open(key(pushed)).isEmpty());
        assertTrue(entries().isEmpty());
    }

    @Test
    void aLayerLinkIsAskedOfTheBucketOncePerBoundAndADeleteElsewhereIsSeenWithinIt() {
        HotTierStorage tier = tier(10L * BLOB);
        String link = link(StorageContract.bytes(BLOB));
        assertFalse(tier.existsForReading(link));
        bucket.storage().write(link, new byte[0]);
        assertTrue(tier.existsForReading(link), "a link another instance wrote is seen at once: no absence is kept");
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertTrue(tier.existsForReading(link));
        }
        assertEquals(2, counted.stats.get(), "the reads within the bound ask the bucket nothing");

        bucket.storage().delete(link);
        assertTrue(tier.stat(link).isEmpty(), "a stat, for decisions to write or delete, always asks the bucket");
        clock.advance(HotTierStorage.CONFIRM_FOR.minusSeconds(3).minusMillis(1));
        assertTrue(tier.existsForReading(link), "within the bound the last HEAD still stands");
        clock.advance(Duration.ofMillis(2));
        assertFalse(tier.existsForReading(link), "past it, the HEAD finds the link gone");
        assertEquals(0, counted.gets.get());
    }

    @Test
    void aClockSteppedBackStretchesNoBound() {
        HotTierStorage tier = tier(10L * BLOB);
        String link = link(StorageContract.bytes(BLOB));
        bucket.storage().write(link, new byte[0]);
        assertTrue(tier.existsForReading(link));
        bucket.storage().delete(link);
        clock.advance(Duration.ofHours(-1));
        assertFalse(tier.existsForReading(link), "a HEAD from the clock's future is asked again, not trusted an hour");
    }

    @Test
    void aLinkWrittenOrDeletedThroughThisInstanceIsSeenAtOnce() {
        HotTierStorage tier = tier(10L * BLOB);
        String link = link(StorageContract.bytes(BLOB));
        tier.write(link, new byte[0]);
        assertTrue(tier.existsForReading(link));
        tier.delete(link);
        assertFalse(tier.existsForReading(link), "deleted here: not served from what the bucket said before");

        tier.write(link, new byte[0]);
        assertTrue(tier.existsForReading(link));
        tier.deleteAll(link.substring(0, link.indexOf("/_layers")));
        assertFalse(tier.existsForReading(link), "nor after the whole repository went");
    }

    @Test
    void aDeleteThroughThisInstanceDropsTheEntryAtOnce() throws IOException {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] blob = StorageContract.bytes(BLOB);
        importThrough(tier, blob);
        tier.deleteAll(key(blob).substring(0, key(blob).length() - "/data".length()));
        assertTrue(tier.open(key(blob)).isEmpty());
        assertTrue(entries().isEmpty());
    }

    @Test
    void readersArrivingTogetherAfterARestartShareOneHeadAndOneHash() throws Exception {
        byte[] blob = StorageContract.bytes(BLOB);
        importThrough(tier(10L * BLOB), blob);
        HotTierStorage restarted = tier(10L * BLOB);
        int before = counted.stats.get();
        List<FutureTask<byte[]>> reads = readTogetherBehindAHeldHead(restarted, blob, 6);

        for (FutureTask<byte[]> read : reads) {
            assertArrayEquals(blob, read.get(10, TimeUnit.SECONDS));
        }
        assertEquals(before + 1, counted.stats.get(), "one HEAD for all of them");
        assertEquals(0, counted.gets.get(), "all from local disk");
        clock.advance(HotTierStorage.CONFIRM_FOR.plusSeconds(1));
        assertArrayEquals(blob, readAll(restarted, key(blob)));
        assertEquals(before + 2, counted.stats.get(), "asked again once the answer is no longer trusted");
    }

    @Test
    void aHeadThatFailsFailsEveryReaderWaitingForItAndNoneReadsTheBucket() throws Exception {
        byte[] blob = StorageContract.bytes(BLOB);
        importThrough(tier(10L * BLOB), blob);
        HotTierStorage restarted = tier(10L * BLOB);
        counted.headFails = new IllegalStateException("the bucket is unreachable");
        int before = counted.stats.get();
        List<FutureTask<byte[]>> reads = readTogetherBehindAHeldHead(restarted, blob, 4);

        for (FutureTask<byte[]> read : reads) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS));
            assertEquals("the bucket is unreachable", failed.getCause().getMessage());
        }
        assertEquals(before + 1, counted.stats.get());
        assertEquals(0, counted.gets.get(), "nobody read the bucket instead");
        counted.headFails = null;
        counted.heads = null;
        assertArrayEquals(blob, readAll(restarted, key(blob)));
        assertEquals(0, counted.gets.get());
    }

    @Test
    void aRestartKeepsTheTierAndTrimsItToTheNewBound() throws IOException {
        HotTierStorage tier = tier(10L * BLOB);
        byte[] a = StorageContract.bytes(BLOB);
        byte[] b = StorageContract.bytes(BLOB + 3);
        byte[] c = StorageContract.bytes(BLOB + 5);
        for (byte[] blob : List.of(a, b, c)) {
            importThrough(tier, blob);
            clock.advance(Duration.ofSeconds(10));
        }
        readAll(tier, key(a));
        Files.writeString(directory.resolve("tmp").resolve("left-by-a-crash"), "partial");

        HotTierStorage restarted = tier(2L * BLOB + 10);
        assertEquals(entries(a, c), entries(), "the two most recently used stay");
        assertTrue(Files.notExists(directory.resolve("tmp").resolve("left-by-a-crash")));
        assertEquals(2L * BLOB + 5, restarted.bytes());
        assertArrayEquals(a, readAll(restarted, key(a)));
        assertArrayEquals(c, readAll(restarted, key(c)));
        assertEquals(0, counted.gets.get(), "served from local disk after the restart");
    }

    /**
     * Starts {@code count} readers of {@code blob} at once: the first one's HEAD of the bucket is held until all of
     * them are waiting, then let through. Their reads, under way.
     */
    private List<FutureTask<byte[]>> readTogetherBehindAHeldHead(HotTierStorage tier, byte[] blob, int count)
            throws InterruptedException {
        counted.heads = new CountDownLatch(1);
        int before = counted.stats.get();
        List<FutureTask<byte[]>> reads = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FutureTask<byte[]> read = new FutureTask<>(() -> readAll(tier, key(blob)));
            reads.add(read);
            readers.add(Thread.ofPlatform().start(read));
            if (i == 0) {
                // The first reader asks the bucket whether it still has the blob, and is held there.
                Poll.until(() -> counted.stats.get() == before + 1, "the first reader's HEAD");
            }
        }
        Poll.until(() -> readers.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.TIMED_WAITING), "every reader waiting");
        counted.heads.countDown();
        return reads;
    }

    private void importThrough(HotTierStorage tier, byte[] blob) throws IOException {
        Path file = tier.newScratchFile();
        Files.write(file, blob);
        tier.importFile(key(blob), file);
        assertFalse(Files.exists(file));
        assertEquals(blob.length, bucket.storage().stat(key(blob)).orElseThrow().size(), "the bucket has the blob");
    }

    private List<String> entries() throws IOException {
        try (var files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> entries(byte[]... blobs) {
        return Stream.of(blobs).map(HotTierStorageTest::entry).sorted().toList();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static byte[] readAll(Storage storage, String key) throws IOException {
        try (ObjectReader reader = storage.open(key).orElseThrow()) {
            return copy(reader, 0, reader.size());
        }
    }

    private static byte[] copy(ObjectReader reader, long offset, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.copyTo(offset, length, out);
        return out.toByteArray();
    }

    private static String hex(byte[] blob) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String key(byte[] blob) {
        String hex = hex(blob);
        return "blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data";
    }

    private static String link(byte[] blob) {
        return "repositories/team/app/_layers/sha256/" + hex(blob) + "/link";
    }

    private static String entry(byte[] blob) {
        return "sha256-" + hex(blob);
    }

    /**
     * The bucket, counting the GETs of object bytes (each reader's stream is one ranged GET) and the HEADs; a HEAD
     * waits for {@code heads} to open while it is set, and throws {@code headFails} while that is set.
     */
    private static final class CountingStorage extends ForwardingStorage {
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger stats = new AtomicInteger();
        volatile CountDownLatch heads;
        volatile RuntimeException headFails;

        CountingStorage(Storage store) {
            super(store);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            stats.incrementAndGet();
            CountDownLatch gate = heads;
            if (gate != null) {
                try {
                    assertTrue(gate.await(10, TimeUnit.SECONDS), "the test never let the HEAD through");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            RuntimeException failure = headFails;
            if (failure != null) {
                throw failure;
            }
            return store.stat(key);
        }

        @Override
        public Optional<ObjectReader> open(String key) {
            return store.open(key).map(reader -> new ObjectReader() {
                @Override
                public long size() {
                    return reader.size();
                }

                @Override
                public InputStream stream(long offset) throws IOException {
                    gets.incrementAndGet();
                    return reader.stream(offset);
                }

                @Override
                public void close() throws IOException {
                    reader.close();
                }
            });
        }

        @Override
        public Optional<byte[]> read(String key, int maxBytes) {
            gets.incrementAndGet();
            return store.read(key, maxBytes);
        }
    }
}
