package dev.berth.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.storage.ConditionalWrites;
import dev.berth.support.MutableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundGatesTest {
    private static final Duration TERM = Duration.ofMinutes(5);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final CompareAndSetMap store = new CompareAndSetMap(true);

    private RoundLease lease(String holder) {
        return new RoundLease(store, "cluster/leases/gc", holder, TERM, clock);
    }

    @Test
    void oneHolderAtATimeUntilItsTermAndTheMarginRunOut() {
        RoundLease a = lease("a");
        RoundLease b = lease("b");
        assertTrue(a.acquire());
        assertFalse(b.acquire(), "a holds it");
        assertTrue(a.acquire(), "a renews");
        clock.advance(TERM.plus(RoundLease.CLOCK_MARGIN));
        assertFalse(b.acquire(), "within the clock margin");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(b.acquire(), "a died mid-round: its term ran out");
        assertFalse(a.acquire(), "a is back, but b holds it now");
    }

    @Test
    void releasedLeaseIsFreeAtOnce() {
        RoundLease a = lease("a");
        assertTrue(a.acquire());
        a.release();
        assertTrue(lease("b").acquire());
    }

    @Test
    void ofManyInstancesRacingForAFreeLeaseExactlyOneWins() throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            store.objects.clear();
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger winners = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                RoundLease contender = lease("instance-" + i);
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (contender.acquire()) {
                        winners.incrementAndGet();
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(1, winners.get());
        }
    }

    @Test
    void aDamagedLeaseCountsAsExpired() {
        store.writeIfAbsent("cluster/leases/gc", "garbage".getBytes(StandardCharsets.UTF_8));
        assertTrue(lease("a").acquire());
    }

    @Test
    void aLeaseGateRunsTheRoundOnlyOnTheHolderAndReleasesAfterwards() {
        AtomicInteger runs = new AtomicInteger();
        RoundLease a = lease("a");
        assertTrue(a.acquire());
        LeaseGate b = new LeaseGate(store, "b", clock);
        assertFalse(b.runIfMine("gc", runs::incrementAndGet));
        assertEquals(0, runs.get(), "a holds the lease");
        a.release();
        assertTrue(b.runIfMine("gc", runs::incrementAndGet));
        assertEquals(1, runs.get());
        assertTrue(lease("c").acquire(), "b released it after its round");
        assertTrue(new LeaseGate(store, "b", clock).runIfMine("budget", runs::incrementAndGet), "one lease a round");
    }

    @Test
    void aStoreThatIgnoresConditionsIsFoundOut() {
        assertTrue(store.honoured("probe"));
        assertFalse(new CompareAndSetMap(false).honoured("probe"));
    }

    @Test
    void aStoreIgnoringConditionsLeavesTheRoundsToTheFirstPeer() {
        CompareAndSetMap ignoring = new CompareAndSetMap(false);
        List<URI> peers = List.of(URI.create("http://b:5000"), URI.create("http://a:5000"));
        AtomicInteger runs = new AtomicInteger();
        RoundGates.forSharedStore(ignoring, "b", peers, Optional.of(URI.create("http://b:5000")), clock)
                .runIfMine("gc", runs::incrementAndGet);
        assertEquals(0, runs.get(), "b is not the first peer");
        RoundGates.forSharedStore(ignoring, "a", peers, Optional.of(URI.create("http://a:5000")), clock)
                .runIfMine("gc", runs::incrementAndGet);
        assertEquals(1, runs.get(), "a is");
        RoundGates.forSharedStore(ignoring, "a", List.of(), Optional.empty(), clock)
                .runIfMine("gc", runs::incrementAndGet);
        assertEquals(2, runs.get(), "with no peers, every instance runs the rounds");
        assertInstanceOf(LeaseGate.class, RoundGates.forSharedStore(store, "a", peers, Optional.empty(), clock));
    }

    /** A store whose conditional writes hold (as S3's do), or are ignored (as some S3 work-alikes' are). */
    static final class CompareAndSetMap implements ConditionalWrites {
        final Map<String, Versioned> objects = new ConcurrentHashMap<>();
        private final boolean keepsConditions;
        private final AtomicInteger versions = new AtomicInteger();

        CompareAndSetMap(boolean keepsConditions) {
            this.keepsConditions = keepsConditions;
        }

        @Override
        public Optional<Versioned> readVersioned(String key, int maxBytes) {
            return Optional.ofNullable(objects.get(key));
        }

        @Override
        public synchronized boolean writeIfAbsent(String key, byte[] content) {
            if (keepsConditions && objects.containsKey(key)) {
                return false;
            }
            objects.put(key, new Versioned(content, "v" + versions.incrementAndGet()));
            return true;
        }

        @Override
        public synchronized boolean writeIfMatch(String key, byte[] content, String version) {
            Versioned current = objects.get(key);
            if (keepsConditions && (current == null || !current.version().equals(version))) {
                return false;
            }
            objects.put(key, new Versioned(content, "v" + versions.incrementAndGet()));
            return true;
        }

        @Override
        public boolean honoured(String probeKey) {
            boolean first = writeIfAbsent(probeKey, new byte[] {1});
            boolean second = writeIfAbsent(probeKey, new byte[] {2});
            objects.remove(probeKey);
            return first && !second;
        }
    }
}
