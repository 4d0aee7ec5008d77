package dev.berth.registry;

import dev.berth.oci.Digest;

/** A manifest as served: its digest, its media type and its bytes exactly as they were pushed or fetched. */
public record StoredManifest(Digest digest, String mediaType, byte[] bytes) {
}
