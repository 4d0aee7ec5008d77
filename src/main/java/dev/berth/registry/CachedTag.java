package dev.berth.registry;

import dev.berth.oci.Digest;
import java.time.Instant;
import java.util.Optional;

/** A mirrored tag as stored: the digest it points at, and when its upstream last confirmed that (absent: unknown). */
public record CachedTag(Digest digest, Optional<Instant> confirmed) {
}
