package dev.berth.mirror;

import dev.berth.fleet.Owners;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.registry.CachedTag;
import dev.berth.registry.StoredManifest;
import dev.berth.upstream.ManifestHead;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A mirrored repository's tags: a cached tag is served unasked while {@link TagPolicy} calls it fresh; past that, its
 * owner in the fleet is asked, or (this instance being the owner) the upstream with a HEAD, and the cached copy
 * served stale while the upstream fails. The tag list is the upstream's, or the cached one while it fails.
 */
final class MirroredTags {
    private final MirroredName name;
    private final UpstreamCalls calls;
    private final MirroredManifests manifests;
    private final MirrorEvents events;
    private final Owners owners;

    MirroredTags(MirroredName name, UpstreamCalls calls, MirroredManifests manifests, MirrorEvents events,
                 Owners owners) {
        this.name = name;
        this.calls = calls;
        this.manifests = manifests;
        this.events = events;
        this.owners = owners;
    }

    /** The manifest {@code tag} points at: fresh in the cache (a hit), or revalidated (a miss). */
    StoredManifest manifest(String tag) {
        String tagKey = name.tagKey(tag);
        Optional<StoredManifest> cached = freshlyCached(tag, tagKey);
        if (cached.isPresent()) {
            events.hit(name.upstream().registry(), MirrorEvents.Kind.MANIFEST, cached.get().bytes().length);
            return cached.get();
        }
        events.miss(name.upstream().registry(), MirrorEvents.Kind.MANIFEST);
        return revalidated(tag, tagKey);
    }

    /**
     * The manifest {@code tag} points at, as {@link #manifest(String)} serves it but not counted as a client's hit or
     * miss: for the tags berth reads on its own account (a subject's fallback referrers).
     */
    StoredManifest resolve(String tag) {
        String tagKey = name.tagKey(tag);
        return freshlyCached(tag, tagKey).orElseGet(() -> revalidated(tag, tagKey));
    }

    private StoredManifest revalidated(String tag, String tagKey) {
        return name.upstream().manifestFetches().run(tagKey,
                // Checked again inside: a revalidation that just finished makes this one unnecessary.
                // From the tag's owner, fresh here for as long as it says: the fleet asks the upstream once per TTL.
                () -> freshlyCached(tag, tagKey).orElseGet(() -> owners.tag(name.cachedName(), tag,
                        freshFor -> name.upstream().freshness().unaskedFor(tagKey, freshFor),
                        () -> name.manifestUnknown(tag), () -> revalidate(tag, tagKey))));
    }

    /** How much longer {@code tag} may be served without asking the upstream, for a peer that asked its owner. */
    Duration freshFor(String tag) {
        return name.upstream().freshness().remaining(name.tagKey(tag));
    }

    /**
     * The cached manifest of a tag that may be served without asking the upstream: fresh in memory, or confirmed
     * within a TTL as the store says (by this instance before a restart, or by another on the same store).
     */
    private Optional<StoredManifest> freshlyCached(String tag, String tagKey) {
        Optional<CachedTag> stored = name.cache().tag(tag);
        if (stored.isEmpty() || !name.upstream().freshness().isFresh(tagKey, stored.get().confirmed())) {
            return Optional.empty();
        }
        return name.cache().manifest(stored.get().digest());
    }

    private Optional<StoredManifest> cached(String tag) {
        return name.cache().tag(tag).map(CachedTag::digest).flatMap(name.cache()::manifest);
    }

    /**
     * Asks the upstream what the tag points at now (a HEAD), fetching the manifest only when it is new here. With a
     * cached copy, the upstream is asked only while it answers (or as the probe of its recovery), and not waited for
     * beyond its revalidate-timeout: the copy stands in.
     */
    private StoredManifest revalidate(String tag, String tagKey) {
        MirroredUpstream upstream = name.upstream();
        Optional<StoredManifest> copy = cached(tag);
        // Asked only with a copy to stand in: the failing upstream's probe is this caller's then.
        boolean worthAsking = copy.isEmpty() || upstream.failures().worthAsking();
        TagPolicy.WhenStale action = TagPolicy.whenStale(copy.isPresent(), worthAsking);
        if (action == TagPolicy.WhenStale.SERVE_STALE) {
            upstream.freshness().unaskedFor(tagKey, upstream.failures().backoffLeft());
            return copy.get();
        }
        try {
            ManifestHead head = calls.ask(tagKey, () -> upstream.client().headManifest(name.upstreamName(),
                    new Reference.Tag(tag), action.patience())).orElseThrow(() -> name.manifestUnknown(tag));
            Instant confirmed = upstream.freshness().now();
            StoredManifest manifest = copy.filter(m -> m.digest().equals(head.digest()))
                    .or(() -> name.cache().manifest(head.digest())).orElseGet(() -> manifests.fetch(head.digest()));
            // The manifest is stored: served even if the tag cannot be recorded.
            if (WhenStoreFull.recorded(tagKey, () -> name.cache().tag(tag, head.digest(), confirmed))) {
                upstream.freshness().confirmed(tagKey, confirmed);
            }
            return manifest;
        } catch (UpstreamUnavailable e) {
            // stale-if-error: the cached tag stands in; the outage is logged once by UpstreamFailures.
            StoredManifest stale = copy.orElseThrow(() -> e);
            // And is served unasked until the upstream is worth asking again: a fleet pulling through an outage
            // gets it at once, instead of each client waiting on an upstream that times out.
            upstream.freshness().unaskedFor(tagKey, e.retryAfter());
            return stale;
        }
    }

    /**
     * The upstream's tags; with tags cached, those while the upstream fails, and when it does not answer within its
     * revalidate-timeout.
     */
    List<String> list() {
        MirroredUpstream upstream = name.upstream();
        Optional<List<String>> cached = cachedList();
        boolean copy = cached.filter(tags -> !tags.isEmpty()).isPresent();
        TagPolicy.WhenStale action = TagPolicy.whenStale(copy, !copy || upstream.failures().worthAsking());
        if (action == TagPolicy.WhenStale.SERVE_STALE) {
            return cached.get();
        }
        try {
            Optional<List<String>> listed = calls.ask(name.cachedName() + "/tags",
                    () -> upstream.client().tags(name.upstreamName(), action.patience()));
            if (listed.isPresent()) {
                return listed.get().stream().sorted().toList();
            }
        } catch (UpstreamUnavailable e) {
            return cached.orElseThrow(() -> e);
        }
        return cached.orElseThrow(() -> new RegistryException(OciError.NAME_UNKNOWN,
                "repository " + name.upstreamName() + " is not known to " + upstream.registry()));
    }

    private Optional<List<String>> cachedList() {
        try {
            return Optional.of(name.cache().repository().tags());
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }
}
