package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rule a request body is read under: no pause past the timeout, and the minimum rate once the timeout is spent. */
class BodyPaceTest {
    private static final long SECOND = 1_000_000_000L;
    private final BodyPace pace = new BodyPace(Duration.ofSeconds(10), 1000);

    @Test
    void aFreshBodyMayPauseTheTimeout() {
        assertEquals(10 * SECOND, pace.allowance(0, 0));
    }

    @Test
    void aBodyAboveTheRateNeverRunsOut() {
        // 100 s of waiting for 200 KB: 2 KB a second, twice the floor.
        assertEquals(10 * SECOND, pace.allowance(100 * SECOND, 200_000));
    }

    @Test
    void aBodyBelowTheRateRunsOutOnceItsCreditIsSpent() {
        // A byte every 5 s, as the review sent: after 9 s and 2 bytes, 1.002 s are left; after 15 s, none.
        assertEquals(SECOND + 2_000_000, pace.allowance(9 * SECOND, 2));
        assertTrue(pace.allowance(15 * SECOND, 3) <= 0);
    }

    @Test
    void creditNeverLetsOnePauseLastLongerThanTheTimeout() {
        // A gigabyte at full speed earns a million seconds, yet the next read still waits at most the timeout.
        assertEquals(10 * SECOND, pace.allowance(SECOND, 1L << 30));
        assertEquals(10 * SECOND, pace.allowance(SECOND, Long.MAX_VALUE));
    }

    @Test
    void withoutARateOnlyTheTimeoutCounts() {
        assertEquals(10 * SECOND, new BodyPace(Duration.ofSeconds(10), 0).allowance(1000 * SECOND, 1));
    }
}
