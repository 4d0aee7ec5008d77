package dev.berth.mirror;

import dev.berth.cache.AccessIndex;

/**
 * What every pull-through repository shares: the running downloads, the access index, the manifest size limit, the
 * refusal of writes, where cache use is reported, and the owners in the fleet of what is not cached.
 */
record PullThroughShared(BlobFills fills, AccessIndex access, int maxManifestBytes, RefusedWrites refusedWrites,
                         MirrorEvents events, Owners owners) {
    /** The same, for serving another instance as the owner: everything is fetched here, never from a peer. */
    PullThroughShared asOwner() {
        return new PullThroughShared(fills, access, maxManifestBytes, refusedWrites, events, Owners.alone());
    }
}
