package dev.berth.mirror;

import dev.berth.cache.AccessIndex;

/**
 * What every pull-through repository shares: the running downloads, the access index, the manifest size limit, the
 * hint a refused push gives, and where cache use is reported.
 */
record PullThroughShared(BlobFills fills, AccessIndex access, int maxManifestBytes, String readOnlyHint,
                         MirrorEvents events) {
}
