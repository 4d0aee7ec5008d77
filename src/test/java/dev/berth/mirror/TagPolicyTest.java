package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.upstream.UpstreamClient.Patience;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tag decision as a table: the clock's reading and what is known of the tag in, the decision out. */
class TagPolicyTest {
    private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");
    private static final TagPolicy POLICY = new TagPolicy(Duration.ofMinutes(5));

    /**
     * Times are seconds relative to now (blank: not known); the answer is until when the tag is fresh, relative to
     * now, or blank when it must be revalidated.
     */
    @ParameterizedTest(name = "remembered {0}, confirmed in the store {1}: fresh until {2}")
    @CsvSource(delimiter = '|', nullValues = "", textBlock = """
            # remembered | confirmed | fresh until
                         |           |
            30           |           | 30
            0            |           |
            -1           |           |
                         | 0         | 300
                         | -299      | 1
                         | -300      |
                         | -301      |
            # another instance's clock ahead of this one: counts as now
                         | 60        | 300
            # memory first; past it, the store's confirmation still counts
            10           | -200      | 10
            -5           | -200      | 100
            -5           | -400      |
            """)
    void freshness(Long remembered, Long confirmed, Long freshUntil) {
        assertEquals(Optional.ofNullable(freshUntil).map(NOW::plusSeconds),
                POLICY.freshUntil(NOW, at(remembered), at(confirmed)));
    }

    @ParameterizedTest(name = "copy {0}, upstream worth asking {1}: {2} ({3})")
    @CsvSource(delimiter = '|', textBlock = """
            # cached copy | worth asking | decision           | patience
            false         | true         | REVALIDATE         | FULL
            false         | false        | REVALIDATE         | FULL
            true          | true         | REVALIDATE_BRIEFLY | BRIEF
            true          | false        | SERVE_STALE        | BRIEF
            """)
    void whenStale(boolean copy, boolean worthAsking, TagPolicy.WhenStale decision, Patience patience) {
        assertEquals(decision, TagPolicy.whenStale(copy, worthAsking));
        assertEquals(patience, decision.patience());
    }

    @ParameterizedTest(name = "served unasked for {0} s: until {1} s")
    @CsvSource(delimiter = '|', textBlock = """
            # asked wait (an owner's word, a backoff) | until, at most a TTL
            0     | 0
            10    | 10
            300   | 300
            7200  | 300
            """)
    void unaskedAtMostATtl(long wait, long until) {
        assertEquals(NOW.plusSeconds(until), POLICY.unaskedUntil(NOW, Duration.ofSeconds(wait)));
    }

    @ParameterizedTest(name = "fresh until {0}: {1} s left")
    @CsvSource(delimiter = '|', nullValues = "", textBlock = """
            # fresh until | left
                          | 0
            -10           | 0
            0             | 0
            42            | 42
            """)
    void left(Long until, long left) {
        assertEquals(Duration.ofSeconds(left), TagPolicy.left(NOW, at(until)));
        assertEquals(NOW.plusSeconds(300), POLICY.confirmedUntil(NOW));
    }

    private static Optional<Instant> at(Long seconds) {
        return Optional.ofNullable(seconds).map(NOW::plusSeconds);
    }
}
