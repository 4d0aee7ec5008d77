package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.RepoName;
import dev.berth.upstream.UpstreamException;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * An upstream refusing berth a repository (401 or 403 after the token flow, or its token service refusing berth's
 * credentials): counted every time, and a warning once per repository an hour naming the upstream, the repository
 * and the settings to check, so that a forgotten or wrong password does not pass as a missing image.
 */
final class RefusedAccess {
    private static final Logger LOG = System.getLogger(RefusedAccess.class.getName());
    /** How long a repository's refusal stays quiet after it was logged. */
    static final Duration QUIET = Duration.ofHours(1);
    /** Repositories whose refusal was logged: bounded, so a client asking for many names cannot grow it. */
    private static final int MAX_LOGGED = 1_000;

    private final String registry;
    private final boolean hasCredentials;
    private final Clock clock;
    private final Cache<String, Instant> loggedAt = Caffeine.newBuilder().maximumSize(MAX_LOGGED).build();

    RefusedAccess(String registry, boolean hasCredentials, Clock clock) {
        this.registry = registry;
        this.hasCredentials = hasCredentials;
        this.clock = clock;
    }

    /** Whether {@code e} is the upstream refusing berth, rather than failing or lacking the content. */
    static boolean isRefusal(UpstreamException e) {
        return e.status() == 401 || e.status() == 403;
    }

    /** Records a refusal of {@code repository} (the upstream's name for it), reported to {@code events}. */
    void refused(RepoName repository, UpstreamException e, MirrorEvents events) {
        events.accessRefused(registry);
        Instant now = clock.instant();
        boolean[] due = {false};
        loggedAt.asMap().compute(repository.value(), (name, last) -> {
            if (last != null && now.isBefore(last.plus(QUIET))) {
                return last;
            }
            due[0] = true;
            return now;
        });
        if (due[0]) {
            LOG.log(Logger.Level.WARNING, message(repository, e));
        }
    }

    private String message(RepoName repository, UpstreamException e) {
        String check = "check mirror.upstreams[].username and password (or password-file) of " + registry;
        if (e.authenticationFailed()) {
            return "upstream " + registry + " refused berth's credentials for repository " + repository.value() + " ("
                    + e.getMessage() + "); " + check + "; clients get 503 for what is not cached";
        }
        return "upstream " + registry + " refused access to repository " + repository.value() + " (" + e.getMessage()
                + "): it does not have it, or lets only those who log in pull it; clients get 404; "
                + (hasCredentials ? "if it should let berth in, " + check
                : "no username is configured for " + registry + ": if it needs a login, set mirror.upstreams[].username"
                + " and password (or password-file)");
    }
}
