package dev.berth.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The history keeps the last rounds of each kind, newest first, and only budget rounds that evicted. */
class RoundHistoryTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RoundHistory history = new RoundHistory(clock);

    @Test
    void keepsTheLastRoundsNewestFirst() {
        for (int i = 1; i <= RoundHistory.KEPT + 5; i++) {
            clock.advance(Duration.ofMinutes(1));
            history.budgetRound(1000 + i, i, 10L * i);
            history.collected(i, i, i);
        }
        assertEquals(RoundHistory.KEPT, history.evictions().size());
        assertEquals(RoundHistory.KEPT + 5, history.evictions().getFirst().evicted());
        assertEquals(6, history.evictions().getLast().evicted());
        assertEquals(RoundHistory.KEPT, history.collections().size());
        assertEquals(RoundHistory.KEPT + 5, history.collections().getFirst().blobs());
    }

    @Test
    void aRoundThatEvictsNothingUpdatesTheUsageOnly() {
        assertEquals(Optional.empty(), history.usage());
        history.budgetRound(5000, 2, 1500);
        clock.advance(Duration.ofMinutes(1));
        history.budgetRound(3600, 0, 0);
        assertEquals(1, history.evictions().size());
        assertEquals(new RoundHistory.Usage(clock.instant(), 3600), history.usage().orElseThrow());
        assertEquals(new RoundHistory.Eviction(clock.instant().minus(Duration.ofMinutes(1)), 2, 1500, 5000),
                history.evictions().getFirst());
    }
}
