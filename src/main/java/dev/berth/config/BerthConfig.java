package dev.berth.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The whole configuration, one immutable record per section of berth.yaml. */
public record BerthConfig(Server server, Storage storage, Limits limits, Mirror mirror, PrivateRepos privateRepos) {

    /** {@code server.*}: where berth listens. */
    public record Server(String host, int port) {
    }

    /** {@code storage.*}: the data directory, and how long an unfinished upload is kept. */
    public record Storage(Path root, Duration uploadTimeout) {
    }

    /** {@code limits.*}: the largest manifest and blob accepted (0: no limit for blobs). */
    public record Limits(int maxManifestBytes, long maxUploadBytes) {
    }

    /** {@code mirror.*}: the upstream registries mirrored. */
    public record Mirror(List<Upstream> upstreams) {
        /** The upstream that serves names naming no registry. */
        public Optional<Upstream> defaultUpstream() {
            return upstreams.stream().filter(Upstream::isDefault).findFirst();
        }
    }

    /** {@code mirror.upstreams[]}: one upstream registry. */
    public record Upstream(String registry, String url, boolean isDefault, Duration tagTtl, Duration negativeTtl,
                           Optional<String> username, Optional<String> password, Duration connectTimeout,
                           Duration readTimeout) {
        @Override
        public String toString() {
            // Never print the password.
            return "Upstream[" + registry + " " + url + (isDefault ? " default" : "") + "]";
        }
    }

    /** {@code private.*}: name globs of repositories that are pushed to berth and never asked of an upstream. */
    public record PrivateRepos(List<String> repositories) {
    }
}
