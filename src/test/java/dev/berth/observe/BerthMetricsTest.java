package dev.berth.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.http.RequestEvents;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BerthMetrics}: the meters it keeps stay the registry's, also when another server in the JVM closes. */
class BerthMetricsTest {
    @Test
    void aServerStillRunningCountsOnAfterAnotherInItsJvmClosed() {
        BerthMetrics running = new BerthMetrics();
        running.requestAnswered(RequestEvents.Kind.BLOB, 200, Duration.ofMillis(1));
        new BerthMetrics().close();
        running.requestAnswered(RequestEvents.Kind.BLOB, 200, Duration.ofMillis(1));
        running.requestAnswered(RequestEvents.Kind.BLOB, 200, Duration.ofMillis(1));
        Counter answered = Metrics.globalRegistry().getOrCreate(Counter.builder("berth_http_requests")
                .tags(List.of(Tag.create("kind", "blob"), Tag.create("status", "200"))));
        assertEquals(2, answered.count(), "the two answers since the close, in the registry /observe/metrics reads");
        running.close();
    }
}
