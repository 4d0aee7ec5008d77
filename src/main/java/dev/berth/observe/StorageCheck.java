package dev.berth.observe;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Readiness: the data directory takes writes (a small file written and deleted). Probed at most once per
 * {@link #MAX_AGE}; callers in between get the last result, so a busy prober costs no disk traffic.
 */
final class StorageCheck implements HealthCheck {
    static final Duration MAX_AGE = Duration.ofSeconds(5);

    private final WriteProbe probe;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private HealthCheckResponse last;
    private Instant probedAt;

    StorageCheck(WriteProbe probe, Clock clock) {
        this.probe = probe;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "storage";
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public HealthCheckResponse call() {
        lock.lock();
        try {
            Instant now = clock.instant();
            if (last == null || !now.isBefore(probedAt.plus(MAX_AGE))) {
                last = probe();
                probedAt = now;
            }
            return last;
        } finally {
            lock.unlock();
        }
    }

    private HealthCheckResponse probe() {
        try {
            probe.probe();
            return HealthCheckResponse.builder().status(true).detail("writable", true).build();
        } catch (IOException | RuntimeException e) {
            return HealthCheckResponse.builder().status(false).detail("writable", false)
                    .detail("error", String.valueOf(e)).build();
        }
    }
}
