package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.MutableClock;
import dev.berth.support.Poll;
import dev.berth.support.TestData;
import dev.berth.upstream.UpstreamBlob;
import dev.berth.upstream.UpstreamRange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Ranges shared by the clients asking the same one: asked of the upstream once, every byte to every client whatever
 * its pace, a break to all of them, and the memory held never past the total, readers or not.
 */
class SharedRangesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Digest BLOB = Digest.sha256(TestData.utf8("blob"));
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));

    @Test
    void aRangeAskedWhileKeptIsNotAskedAgainAndEachClientReadsItAtItsOwnPace() throws IOException {
        SharedRanges ranges = new SharedRanges(1 << 20, clock);
        byte[] bytes = TestData.bytes(200_000, 1);
        Upstream upstream = new Upstream(bytes);

        InputStream first = ranges.fetch(BLOB, "a", upstream).orElseThrow().blob().content();
        InputStream second = ranges.fetch(BLOB, "a", upstream).orElseThrow().blob().content();
        ByteArrayOutputStream fast = new ByteArrayOutputStream();
        ByteArrayOutputStream slow = new ByteArrayOutputStream();
        byte[] big = new byte[100_000];
        byte[] small = new byte[1000];
        for (int n = 0, m = 0; n >= 0 || m >= 0; ) {
            if (n >= 0 && (n = first.read(big)) > 0) {
                fast.write(big, 0, n);
            }
            if (m >= 0 && (m = second.read(small)) > 0) {
                slow.write(small, 0, m);
            }
        }
        first.close();
        second.close();

        assertArrayEquals(bytes, fast.toByteArray());
        assertArrayEquals(bytes, slow.toByteArray());
        try (InputStream later = ranges.fetch(BLOB, "a", upstream).orElseThrow().blob().content()) {
            assertArrayEquals(bytes, later.readAllBytes());
        }
        assertEquals(1, upstream.asked.get());
        assertTrue(upstream.closed.get(), "the upstream's answer is closed once read whole");
        assertEquals(200_000, ranges.used());
    }

    @Test
    void keptRangesGoAfterTheirTimeAndTheirMemoryWithThem() throws IOException {
        SharedRanges ranges = new SharedRanges(1 << 20, clock);
        Upstream upstream = new Upstream(TestData.bytes(1000, 2));
        readWhole(ranges, "a", upstream);
        assertEquals(4096, ranges.used(), "a short range counts as 4 KiB, its bookkeeping with it");
        clock.advance(SharedRanges.KEPT.minusSeconds(1));
        readWhole(ranges, "a", upstream);
        assertEquals(1, upstream.asked.get());

        clock.advance(Duration.ofSeconds(2));
        readWhole(ranges, "b", new Upstream(TestData.bytes(10, 3)));
        assertEquals(4096, ranges.used(), "b's alone");
        readWhole(ranges, "a", upstream);
        assertEquals(2, upstream.asked.get());
    }

    private static void readWhole(SharedRanges ranges, String key, Upstream upstream) throws IOException {
        readWhole(ranges, BLOB, key, upstream);
    }

    private static void readWhole(SharedRanges ranges, Digest blob, String key, Upstream upstream)
            throws IOException {
        try (InputStream in = ranges.fetch(blob, key, upstream).orElseThrow().blob().content()) {
            assertArrayEquals(upstream.bytes, in.readAllBytes());
        }
    }

    @Test
    void theRangesOfABlobGoOnceItsDownloadEndedInEveryRepository() throws IOException {
        SharedRanges ranges = new SharedRanges(1 << 20, clock);
        Digest another = Digest.sha256(TestData.utf8("another"));
        Upstream first = new Upstream(TestData.bytes(10_000, 12));
        Upstream second = new Upstream(TestData.bytes(20_000, 13));
        Upstream other = new Upstream(TestData.bytes(30_000, 14));
        readWhole(ranges, "team/app@blob bytes=0-9999/90000", first);
        readWhole(ranges, "team/db@blob bytes=10000-29999/90000", second);
        readWhole(ranges, another, "team/app@another bytes=0-29999/90000", other);
        assertEquals(60_000, ranges.used());

        ranges.downloaded(BLOB);
        assertEquals(30_000, ranges.used(), "the other blob's range stays");
        readWhole(ranges, "team/app@blob bytes=0-9999/90000", first);
        readWhole(ranges, another, "team/app@another bytes=0-29999/90000", other);
        assertEquals(2, first.asked.get());
        assertEquals(1, other.asked.get());
    }

    @Test
    void theMemoryHeldStaysWithinTheTotalWhileClientsRead() throws IOException {
        SharedRanges ranges = new SharedRanges(100_000, clock);
        Upstream a = new Upstream(TestData.bytes(40_000, 4));
        Upstream b = new Upstream(TestData.bytes(40_000, 5));
        Upstream c = new Upstream(TestData.bytes(40_000, 6));
        Upstream d = new Upstream(TestData.bytes(40_000, 7));
        Upstream tooLong = new Upstream(TestData.bytes(50_001, 8));
        ranges.fetch(BLOB, "a", a).orElseThrow().blob().close();
        UpstreamBlob readingB = ranges.fetch(BLOB, "b", b).orElseThrow().blob();

        // Room for c: a is kept but nobody reads it, so it goes.
        UpstreamBlob readingC = ranges.fetch(BLOB, "c", c).orElseThrow().blob();
        assertEquals(80_000, ranges.used());
        // No room for d while b and c are read: d goes to each client alone, as asked.
        UpstreamBlob aloneD = ranges.fetch(BLOB, "d", d).orElseThrow().blob();
        assertArrayEquals(d.bytes, aloneD.content().readAllBytes());
        ranges.fetch(BLOB, "d", d).orElseThrow().blob().close();
        assertEquals(2, d.asked.get());
        // Longer than half the total: never shared.
        ranges.fetch(BLOB, "long", tooLong).orElseThrow().blob().close();
        ranges.fetch(BLOB, "long", tooLong).orElseThrow().blob().close();
        assertEquals(2, tooLong.asked.get());
        assertEquals(80_000, ranges.used());

        // Let go of while read: b's minute is over, yet its memory is back only once its reader is done.
        readingC.close();
        clock.advance(SharedRanges.KEPT.plusSeconds(1));
        ranges.fetch(BLOB, "a", a).orElseThrow().blob().close();
        assertEquals(80_000, ranges.used(), "b, being read, and a again");
        assertArrayEquals(b.bytes, readingB.content().readAllBytes());
        readingB.close();
        assertEquals(40_000, ranges.used());
        assertEquals(2, a.asked.get());
    }

    @Test
    void aBreakReachesEveryReaderAtTheSameByteAndTheNextClientAsksAgain() throws IOException {
        SharedRanges ranges = new SharedRanges(1 << 20, clock);
        byte[] bytes = TestData.bytes(100_000, 9);
        Upstream breaking = new Upstream(bytes, 30_000);

        InputStream first = ranges.fetch(BLOB, "a", breaking).orElseThrow().blob().content();
        InputStream second = ranges.fetch(BLOB, "a", breaking).orElseThrow().blob().content();
        for (InputStream reader : new InputStream[] {first, second}) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            IOException broke = assertThrows(IOException.class, () -> reader.transferTo(got));
            assertTrue(broke.getMessage().contains("after 30000 bytes"), broke::getMessage);
            assertArrayEquals(Arrays.copyOf(bytes, 30_000), got.toByteArray());
            reader.close();
        }

        Upstream whole = new Upstream(bytes);
        try (InputStream later = ranges.fetch(BLOB, "a", whole).orElseThrow().blob().content()) {
            assertArrayEquals(bytes, later.readAllBytes());
        }
        assertEquals(1, whole.asked.get());
        assertEquals(100_000, ranges.used(), "the broken one's memory is back");
    }

    @Test
    void aClientWaitingForTheBytesAnotherIsReadingGetsThemAndHearsOfTheBreak() throws Exception {
        SharedRanges ranges = new SharedRanges(1 << 20, clock);
        byte[] bytes = TestData.bytes(100_000, 11);
        Gated upstream = new Gated(bytes);
        Reading first = new Reading(ranges.fetch(BLOB, "a", () -> upstream.answer()).orElseThrow().blob());
        Poll.until(() -> upstream.atGate.get() == 1, "the first client reading the upstream's next bytes");
        Reading second = new Reading(ranges.fetch(BLOB, "a", () -> upstream.answer()).orElseThrow().blob());
        Poll.until(() -> second.received.size() == 10_000 && second.thread.getState() == Thread.State.WAITING,
                "the second client with the bytes so far, waiting for the next");

        upstream.gates[0].countDown();
        Poll.until(() -> upstream.atGate.get() == 2, "a client reading the upstream's bytes after those");
        upstream.gates[1].countDown();

        for (Reading reading : List.of(first, second)) {
            ExecutionException ended = assertThrows(ExecutionException.class,
                    () -> reading.failure.get(10, TimeUnit.SECONDS));
            IOException broke = assertInstanceOf(IOException.class, ended.getCause());
            assertTrue(broke.getMessage().contains("after 30000 bytes"), broke::getMessage);
            assertArrayEquals(Arrays.copyOf(bytes, 30_000), reading.received.toByteArray());
        }
        assertEquals(1, upstream.asked.get());
    }

    /** One client reading a range to its end or its break, on a thread of its own. */
    private static final class Reading {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CompletableFuture<Void> failure = new CompletableFuture<>();
        final Thread thread;

        Reading(UpstreamBlob range) {
            thread = Thread.ofPlatform().start(() -> {
                byte[] buffer = new byte[5_000];
                try (InputStream in = range.content()) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        received.write(buffer, 0, n);
                    }
                    failure.complete(null);
                } catch (IOException e) {
                    failure.completeExceptionally(e);
                }
            });
        }
    }

    /** An answer that sends 10,000 bytes, then 20,000 once its first gate opens, then breaks once its second does. */
    private static final class Gated {
        final byte[] bytes;
        final CountDownLatch[] gates = {new CountDownLatch(1), new CountDownLatch(1)};
        final AtomicInteger atGate = new AtomicInteger();
        final AtomicInteger asked = new AtomicInteger();

        Gated(byte[] bytes) {
            this.bytes = bytes;
        }

        Optional<UpstreamRange> answer() {
            asked.incrementAndGet();
            InputStream in = new BlocksOnly() {
                private int at;

                @Override
                public int read(byte[] into, int offset, int count) throws IOException {
                    int upTo = at == 0 ? 10_000 : at + 20_000;
                    if (at > 0) {
                        int gate = atGate.incrementAndGet() - 1;
                        await(gates[gate]);
                        if (gate == 1) {
                            throw new IOException("reset");
                        }
                    }
                    int n = Math.min(count, upTo - at);
                    System.arraycopy(bytes, at, into, offset, n);
                    at += n;
                    return n;
                }
            };
            return Optional.of(new UpstreamRange(new UpstreamBlob(in, bytes.length), 0, bytes.length));
        }

        private static void await(CountDownLatch gate) throws IOException {
            try {
                if (!gate.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    @Test
    void anAnswerAllItsClientsLeftIsCutAndNotServedAgain() throws IOException {
        SharedRanges ranges = new SharedRanges(1 << 20, clock);
        Upstream upstream = new Upstream(TestData.bytes(200_000, 10));
        InputStream reader = ranges.fetch(BLOB, "a", upstream).orElseThrow().blob().content();
        assertTrue(reader.read(new byte[10]) > 0);
        reader.close();

        assertTrue(upstream.closed.get(), "the upstream's connection is let go of");
        try (InputStream later = ranges.fetch(BLOB, "a", upstream).orElseThrow().blob().content()) {
            assertArrayEquals(upstream.bytes, later.readAllBytes());
        }
        assertEquals(2, upstream.asked.get());
    }

    @Test
    void clientsWaitingForAnAnswerThatFailedGetNoneAndTheUpstreamIsAskedOnce() throws Exception {
        SharedRanges ranges = new SharedRanges(1 << 20, clock);
        CountDownLatch asking = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        AtomicInteger asked = new AtomicInteger();
        Supplier<Optional<UpstreamRange>> failing = () -> {
            asked.incrementAndGet();
            asking.countDown();
            try {
                fail.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("refused");
        };
        FutureTask<Optional<UpstreamRange>> first = new FutureTask<>(() -> ranges.fetch(BLOB, "a", failing));
        Thread.ofPlatform().start(first);
        assertTrue(asking.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        FutureTask<Optional<UpstreamRange>> second = new FutureTask<>(() -> ranges.fetch(BLOB, "a", failing));
        Thread waiting = Thread.ofPlatform().start(second);
        // Parked for the first client's answer rather than asking.
        Poll.until(() -> waiting.getState() == Thread.State.WAITING, "the second client waiting for the answer");
        fail.countDown();

        ExecutionException failure = assertThrows(ExecutionException.class, first::get);
        assertTrue(failure.getCause() instanceof IllegalStateException, failure::toString);
        assertEquals(Optional.empty(), assertTimeoutPreemptively(PATIENCE, () -> second.get()));
        assertEquals(1, asked.get());
        assertEquals(0, ranges.used());
    }

    /** An upstream's answers to one range: its bytes, each answer breaking after {@code breakAfter} of them. */
    private static final class Upstream implements Supplier<Optional<UpstreamRange>> {
        final byte[] bytes;
        final int breakAfter;
        final AtomicInteger asked = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();

        Upstream(byte[] bytes) {
            this(bytes, bytes.length);
        }

        Upstream(byte[] bytes, int breakAfter) {
            this.bytes = bytes;
            this.breakAfter = breakAfter;
        }

        @Override
        public Optional<UpstreamRange> get() {
            asked.incrementAndGet();
            closed.set(false);
            return Optional.of(new UpstreamRange(new UpstreamBlob(new Answer(), bytes.length), 0, bytes.length));
        }

        /** The bytes a few thousand at a time, as from a socket, then the end or a reset. */
        private final class Answer extends BlocksOnly {
            private int at;

            @Override
            public int read(byte[] into, int offset, int count) throws IOException {
                if (at == breakAfter) {
                    if (breakAfter < bytes.length) {
                        throw new IOException("reset");
                    }
                    return -1;
                }
                int n = Math.min(Math.min(count, 7_000), breakAfter - at);
                System.arraycopy(bytes, at, into, offset, n);
                at += n;
                return n;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        }
    }

    /** An upstream's answer read as the range's readers read it, a block at a time. */
    private abstract static class BlocksOnly extends InputStream {
        @Override
        public int read() {
            throw new UnsupportedOperationException("read in blocks only, as the range's readers do");
        }
    }
}
