package dev.berth.mirror;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.registry.CachedReferrers;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A mirrored repository's referrers of a subject, mirrored as a tag is: the upstream's Referrers API, or where it has
 * none (404, as Docker Hub) its fallback and cosign tags ({@link FallbackReferrers}); the listing cached in the store,
 * served unasked for the tag TTL, revalidated after, and served stale while the upstream fails. With nothing cached
 * and the upstream failing, the failure is the answer: an empty listing would say "this image has no signatures",
 * which berth does not know.
 */
final class MirroredReferrers {
    private final MirroredName name;
    private final UpstreamCalls calls;
    private final FallbackReferrers fallback;
    private final int maxStoredBytes;

    /** {@code maxStoredBytes} bounds the stored copy read back: the upstream's document limit and some. */
    MirroredReferrers(MirroredName name, UpstreamCalls calls, FallbackReferrers fallback, int maxStoredBytes) {
        this.name = name;
        this.calls = calls;
        this.fallback = fallback;
        this.maxStoredBytes = maxStoredBytes;
    }

    /** The descriptors of the manifests that refer to {@code subject} on the upstream. */
    List<Descriptor> list(Digest subject) {
        String key = name.referrersKey(subject);
        return freshlyCached(subject, key).orElseGet(() -> name.upstream().referrerFetches().run(key,
                // Checked again inside: a revalidation that just finished makes this one unnecessary.
                () -> freshlyCached(subject, key).orElseGet(() -> revalidate(subject, key))));
    }

    private Optional<List<Descriptor>> freshlyCached(Digest subject, String key) {
        Optional<CachedReferrers> copy = name.cache().upstreamReferrers(subject, maxStoredBytes);
        if (copy.isEmpty() || !name.upstream().freshness().isFresh(key, copy.map(CachedReferrers::confirmed))) {
            return Optional.empty();
        }
        return copy.map(CachedReferrers::manifests);
    }

    private List<Descriptor> revalidate(Digest subject, String key) {
        MirroredUpstream upstream = name.upstream();
        Optional<CachedReferrers> copy = name.cache().upstreamReferrers(subject, maxStoredBytes);
        TagPolicy.WhenStale action = TagPolicy.whenStale(copy.isPresent(),
                copy.isEmpty() || upstream.failures().worthAsking());
        if (action == TagPolicy.WhenStale.SERVE_STALE) {
            upstream.freshness().unaskedFor(key, upstream.failures().backoffLeft());
            return copy.get().manifests();
        }
        try {
            List<Descriptor> listed = calls.ask(key, () -> upstream.client().referrers(name.upstreamName(), subject,
                    action.patience())).orElseGet(() -> fallback.list(subject));
            // "None" is stored only for an image berth holds (or over an older listing): one for every digest
            // a client names would fill the store. Asked again, those cost the upstream nothing within negative-ttl.
            if (listed.isEmpty() && copy.isEmpty() && name.cache().manifest(subject).isEmpty()) {
                return listed;
            }
            Instant confirmed = upstream.freshness().now();
            if (WhenStoreFull.recorded(key, () -> name.cache().upstreamReferrers(subject,
                    new CachedReferrers(listed, confirmed)))) {
                upstream.freshness().confirmed(key, confirmed);
            }
            return listed;
        } catch (UpstreamUnavailable e) {
            List<Descriptor> stale = copy.map(CachedReferrers::manifests).orElseThrow(() -> e);
            upstream.freshness().unaskedFor(key, e.retryAfter());
            return stale;
        }
    }
}
