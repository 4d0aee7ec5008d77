package dev.berth.mirror;

import dev.berth.cache.AccessIndex;

/**
 * What every pull-through repository shares: the running downloads, the access index, the manifest size limit, the
 * refusal of writes, and where cache use is reported.
 */
record PullThroughShared(BlobFills fills, AccessIndex access, int maxManifestBytes, RefusedWrites refusedWrites,
                         MirrorEvents events) {
}
