package dev.berth.mirror;

import dev.berth.fleet.Owners;
import dev.berth.oci.Digest;
import java.util.function.Consumer;

/**
 * What every pull-through repository shares: the running downloads, the byte ranges of cold blobs asked of the
 * upstream lately, where the use of content is recorded (the access index), the manifest size limit, where cache use
 * is reported, and the owners in the fleet of what is not cached.
 */
record PullThroughShared(BlobFills fills, SharedRanges ranges, Consumer<Digest> used, int maxManifestBytes,
                         MirrorEvents events, Owners owners) {
    /**
     * The same, for serving another instance as the owner: everything is fetched here, never from a peer, and
     * uncounted, as the asking instance counts its client's hit or miss and records the use.
     */
    PullThroughShared asOwner() {
        return new PullThroughShared(fills, ranges, digest -> { }, maxManifestBytes, MirrorEvents.receivedOnly(events),
                Owners.alone());
    }

    /**
     * The same, for content fetched ahead of demand (warm jobs, sync): the same downloads, but no client used it, so
     * neither the hit and miss counts nor the least-recently-used order see it; upstream bytes are still counted.
     */
    PullThroughShared uncounted() {
        return new PullThroughShared(fills, ranges, digest -> { }, maxManifestBytes, MirrorEvents.receivedOnly(events),
                owners);
    }
}
