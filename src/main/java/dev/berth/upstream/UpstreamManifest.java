package dev.berth.upstream;

import dev.berth.oci.Digest;

/**
 * A manifest as the upstream sent it: the raw bytes (never re-serialized), their verified digest, and the media type
 * from {@code Content-Type} (which may be empty or generic; {@code ManifestParser} then reads it from the JSON).
 */
public record UpstreamManifest(byte[] bytes, Digest digest, String mediaType) {

    /** The size in bytes. */
    public long size() {
        return bytes.length;
    }

    /** What a HEAD request would have told about this manifest. */
    public ManifestHead head() {
        return new ManifestHead(digest, mediaType, bytes.length);
    }
}
