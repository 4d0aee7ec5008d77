package dev.berth.mirror;

import dev.berth.oci.OciError;
import dev.berth.upstream.UpstreamException;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns an upstream's failures into what clients are told, logs an outage once when it starts and once when it ends
 * rather than once per request, and keeps requests that a cached copy can answer away from a failing upstream: one
 * failure (a timeout, a refused connection, 5xx, 429) and they are served from the cache without asking, until a
 * backoff has passed; then one of them asks again (the recovery probe) while the others still do not.
 */
final class UpstreamFailures {
    private static final Logger LOG = System.getLogger(UpstreamFailures.class.getName());
    /** How long clients are told to wait, and cached tags are served unasked, when the upstream names no time. */
    static final Duration DEFAULT_RETRY = Duration.ofSeconds(10);

    private final String registry;
    private final Duration maxBackoff;
    private final Clock clock;
    // What went wrong last while the upstream fails; null while it answers.
    private final AtomicReference<String> problem = new AtomicReference<>();
    // Until when what a cached copy answers is not asked of the upstream.
    private final AtomicReference<Instant> quietUntil = new AtomicReference<>(Instant.MIN);

    /**
     * The failures of {@code registry}; a backoff lasts the upstream's Retry-After or {@link #DEFAULT_RETRY}, at most
     * {@code maxBackoff} (the tag TTL: Docker Hub's Retry-After can be hours) unless that is shorter than the default.
     */
    UpstreamFailures(String registry, Duration maxBackoff, Clock clock) {
        this.registry = registry;
        this.maxBackoff = maxBackoff.compareTo(DEFAULT_RETRY) > 0 ? maxBackoff : DEFAULT_RETRY;
        this.clock = clock;
    }

    /**
     * Whether the failure means the content does not exist. Docker Hub answers 401 (insufficient_scope) for
     * repositories it does not have, even with a valid token; clients then fall back to their next source. The token
     * service refusing berth, or a registry refusing its Basic credentials (wrong ones in the config), is a failure:
     * hiding it as absence would log nothing.
     */
    static boolean meansAbsent(UpstreamException e) {
        return !e.authenticationFailed() && (e.status() == 401 || e.status() == 403 || e.status() == 404);
    }

    /**
     * Records a failure that does not mean absence, and gives the error a client gets when nothing cached stands in:
     * 429 with the upstream's Retry-After when it rate-limits, else 503.
     */
    UpstreamUnavailable failed(UpstreamException e) {
        // A refusal of berth's credentials is logged per repository, with what to check, by RefusedAccess.
        if (problem.getAndSet(e.getMessage()) == null && !RefusedAccess.isRefusal(e)) {
            LOG.log(Logger.Level.WARNING, e.getMessage() + "; serving cached tags and answering 503/429 for"
                    + " uncached content until " + registry + " recovers");
        }
        Duration retry = e.retryAfter().orElse(DEFAULT_RETRY);
        if (!e.authenticationFailed()) {
            // Refused credentials are about berth, not an outage: asking again is as quick as the first time.
            quietUntil.set(clock.instant().plus(retry.compareTo(maxBackoff) < 0 ? retry : maxBackoff));
        }
        if (e.status() == 429) {
            return new UpstreamUnavailable(OciError.TOOMANYREQUESTS, "upstream " + registry
                    + " is rate limiting berth; try again later", retry);
        }
        if (e.authenticationFailed() && RefusedAccess.isRefusal(e)) {
            // A configuration error, not an absent image: 404 would send clients to their next source in silence.
            String why = "upstream " + registry + " refused berth's credentials and the content is not cached; berth's"
                    + " mirror.upstreams[].username and password for " + registry + " need fixing";
            // As the message, which is what Docker prints of an error.
            UpstreamUnavailable refused = new UpstreamUnavailable(OciError.UNAVAILABLE, why, retry);
            refused.withMessage(why);
            return refused;
        }
        String why = e.authenticationFailed() ? "did not let berth authenticate"
                : e.status() == 0 ? "cannot be reached" : "answered " + e.status();
        return new UpstreamUnavailable(OciError.UNAVAILABLE, "upstream " + registry + " " + why
                + " and the content is not cached; try again later", retry);
    }

    /**
     * Whether to ask the upstream about something a cached copy can answer: yes while it answers; while it fails, once
     * the backoff has passed, and then only this caller (the probe) until the backoff has passed again.
     */
    boolean worthAsking() {
        if (problem.get() == null) {
            return true;
        }
        Instant now = clock.instant();
        Instant until = quietUntil.get();
        return !now.isBefore(until) && quietUntil.compareAndSet(until, now.plus(DEFAULT_RETRY));
    }

    /** How long until the upstream is worth asking again: zero when it is now. */
    Duration backoffLeft() {
        Duration left = Duration.between(clock.instant(), quietUntil.get());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** The last failure while the upstream is failing; empty once it answers again (and before it ever failed). */
    Optional<String> problem() {
        return Optional.ofNullable(problem.get());
    }

    /** Records that the upstream answered. */
    void succeeded() {
        if (problem.getAndSet(null) != null) {
            LOG.log(Logger.Level.INFO, "upstream " + registry + " answers again");
        }
    }
}
