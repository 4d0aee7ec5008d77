package dev.berth.registry;

import dev.berth.oci.Digest;
import java.util.Optional;

/** The outcome of a manifest push: its digest, its media type, and the subject it refers to if it has one. */
public record PushedManifest(Digest digest, String mediaType, Optional<Digest> subject) {
}
