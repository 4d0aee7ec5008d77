package dev.berth.observe;

import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/** The {@code /observe} endpoints: {@code metrics}. */
public final class Observability {
    private Observability() {
    }

    /** The feature serving the global meter registry ({@link BerthMetrics} and the JVM's meters) as Prometheus text. */
    public static ObserveFeature feature() {
        return ObserveFeature.builder()
                .observersDiscoverServices(false)
                .addObserver(MetricsObserver.create())
                .build();
    }
}
