package dev.berth.mirror;

import dev.berth.config.BerthConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.RepoName;
import dev.berth.registry.StoredManifest;
import dev.berth.upstream.UpstreamClient;
import java.time.Clock;
import java.util.List;

/**
 * One configured upstream with the state the mirror keeps for it: its client, tag freshness, negative answers,
 * outage logging, refusals' logging, the single-flights of its manifest and referrers fetches and of the adoptions of
 * blobs stored through another repository or instance, the blob sizes it announced, and the size limit of its
 * documents ({@code max-document-size}).
 */
record MirroredUpstream(String registry, UpstreamClient client, TagFreshness freshness, NegativeCache absent,
                        UpstreamFailures failures, RefusedAccess refusals,
                        SingleFlight<String, StoredManifest> manifestFetches,
                        SingleFlight<String, List<Descriptor>> referrerFetches, SingleFlight<String, Boolean> adoptions,
                        BlobSizes sizes, int maxDocumentBytes) {
    /** Docker Hub's registry name, whose one-word names are {@code library/} images. */
    static final String DOCKER_HUB = "docker.io";

    static MirroredUpstream of(BerthConfig.Upstream config, UpstreamClient client, Clock clock) {
        return new MirroredUpstream(config.registry(), client, new TagFreshness(config.tagTtl(), clock),
                new NegativeCache(config.negativeTtl(), clock), new UpstreamFailures(config.registry(), config.tagTtl(), clock),
                new RefusedAccess(config.registry(), config.username().isPresent(), clock), new SingleFlight<>(),
                new SingleFlight<>(), new SingleFlight<>(), new BlobSizes(), (int) config.maxDocumentBytes());
    }

    /** The name the upstream knows: on Docker Hub, {@code busybox} is {@code library/busybox}. */
    RepoName upstreamName(RepoName requested) {
        if (registry.equals(DOCKER_HUB) && !requested.value().contains("/")) {
            return RepoName.of("library/" + requested.value());
        }
        return requested;
    }

    /** Where the cached copy is stored: under the registry's name, as {@code docker.io/library/busybox}. */
    RepoName cachedName(RepoName upstreamName) {
        return RepoName.of(registry + "/" + upstreamName.value());
    }
}
