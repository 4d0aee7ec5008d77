package dev.berth.mirror;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.upstream.UpstreamException;
import java.lang.System.Logger;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One mirrored repository's calls to its upstream, each answer classified: the value; absent (remembered briefly, so
 * a fleet asks once); unusable (an oversized document: 502, with no outage); or a failure, which
 * {@link UpstreamFailures} turns into {@link UpstreamUnavailable}. A refusal of berth is reported to
 * {@link RefusedAccess} whichever of those it becomes.
 */
final class UpstreamCalls {
    private static final Logger LOG = System.getLogger(UpstreamCalls.class.getName());

    private final MirroredName name;
    private final MirrorEvents events;

    UpstreamCalls(MirroredName name, MirrorEvents events) {
        this.name = name;
        this.events = events;
    }

    /**
     * One upstream call about {@code key}: empty when the upstream does not have it, the value when it answers, and
     * {@link UpstreamUnavailable} when it fails.
     */
    <T> Optional<T> ask(String key, Supplier<Optional<T>> call) {
        MirroredUpstream upstream = name.upstream();
        if (upstream.absent().isAbsent(key)) {
            return Optional.empty();
        }
        try {
            Optional<T> answer = call.get();
            upstream.failures().succeeded();
            if (answer.isEmpty()) {
                upstream.absent().remember(key);
            }
            return answer;
        } catch (UpstreamException e) {
            if (e.oversized()) {
                // Reachable, but this answer cannot be used: no outage, and nothing cached stands in for it.
                // As the message too, which is what Docker prints of an error.
                LOG.log(Logger.Level.WARNING, e.getMessage());
                throw new RegistryException(OciError.BAD_GATEWAY, e.getMessage()).withMessage(e.getMessage());
            }
            if (RefusedAccess.isRefusal(e)) {
                upstream.refusals().refused(name.upstreamName(), e, events);
            }
            if (UpstreamFailures.meansAbsent(e)) {
                upstream.absent().remember(key);
                return Optional.empty();
            }
            throw upstream.failures().failed(e);
        }
    }
}
