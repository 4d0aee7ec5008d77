package dev.berth.registry;

import dev.berth.oci.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A manifest of a repository as retention sees it: when it was last pushed, the manifests it lists (an index's) and
 * the manifest it refers to; {@code readable} false when its bytes could not be parsed, so what it needs is unknown.
 */
public record StoredRevision(Digest digest, Instant pushed, List<Digest> children, Optional<Digest> subject,
                             boolean readable) {
}
