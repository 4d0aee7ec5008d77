package dev.berth.observe;

import dev.berth.mirror.UpstreamState;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** The {@code /observe} endpoints: {@code health} (with {@code live} and {@code ready}) and {@code metrics}. */
public final class Observability {
    private Observability() {
    }

    /**
     * The feature serving health from {@code storage}'s write probe and the {@code upstreams}' states, and the global
     * meter registry ({@link BerthMetrics} and the JVM's meters) in Prometheus text format.
     */
    public static ObserveFeature feature(WriteProbe storage,
                                         Supplier<List<UpstreamState>> upstreams, Clock clock) {
        HealthObserver health = HealthObserver.builder()
                // Details on: without them Helidon answers a healthy probe 204 with no body, not 200 with UP.
                .details(true)
                .useSystemServices(false)
                // No liveness check of berth's own: answering /live at all shows the process works, and neither a
                // full disk nor an upstream outage is cured by a restart. Both are readiness.
                .addCheck(new StorageCheck(storage, clock))
                .addCheck(new UpstreamsCheck(upstreams))
                .build();
        return ObserveFeature.builder()
                .observersDiscoverServices(false)
                .addObserver(health)
                .addObserver(MetricsObserver.create())
                .build();
    }
}
