package dev.berth.mirror;

import dev.berth.oci.RepoName;
import java.time.Duration;
import java.util.Optional;

/**
 * An {@code access: caller} upstream as a caller's login is checked there: its registry name, the name a cached
 * repository has there (what its token service is asked about; empty: the login alone), and how long its answers are
 * remembered.
 */
public record CallerUpstream(String registry, Optional<RepoName> upstreamName, Duration remember) {
}
