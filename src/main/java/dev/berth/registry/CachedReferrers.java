package dev.berth.registry;

import dev.berth.oci.Descriptor;
import java.time.Instant;
import java.util.List;

/** A mirrored subject's referrers as berth last learned them from its upstream, and when. */
public record CachedReferrers(List<Descriptor> manifests, Instant confirmed) {
    public CachedReferrers {
        manifests = List.copyOf(manifests);
    }
}
