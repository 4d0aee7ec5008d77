package dev.berth.mirror;

import dev.berth.registry.BlobSpool;
import dev.berth.upstream.UpstreamBlob;

/** Where a fill's bytes come from, and how they are stored once verified and released to its clients. */
@FunctionalInterface
interface FillSource {
    /** Opens the bytes; throws a RegistryException when they cannot be had. */
    UpstreamBlob open();

    /** Stores the verified spool: imported into the store, unless another instance stores the same bytes there. */
    default void store(BlobSpool spool) {
        spool.commit();
    }
}
