package dev.berth.observe;

import dev.berth.mirror.UpstreamState;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import java.util.List;
import java.util.function.Supplier;

/**
 * Readiness details: each upstream as the mirror's own traffic last found it, with no request made for the probe.
 * Always UP: berth with a failing upstream still serves cached and private content, and taking it out of rotation
 * would lose that too; the details (and {@code berth_upstream_errors}) show the outage.
 */
final class UpstreamsCheck implements HealthCheck {
    private final Supplier<List<UpstreamState>> states;

    UpstreamsCheck(Supplier<List<UpstreamState>> states) {
        this.states = states;
    }

    @Override
    public String name() {
        return "upstreams";
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse.Builder response = HealthCheckResponse.builder().status(true);
        for (UpstreamState state : states.get()) {
            response.detail(state.registry(), state.problem().map(problem -> "DOWN: " + problem).orElse("UP"));
        }
        return response.build();
    }
}
