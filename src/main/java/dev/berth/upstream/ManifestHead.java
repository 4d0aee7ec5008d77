package dev.berth.upstream;

import dev.berth.oci.Digest;

/** What a manifest HEAD tells: the digest, the media type, and the size (-1 when the upstream did not say). */
public record ManifestHead(Digest digest, String mediaType, long size) {
}
