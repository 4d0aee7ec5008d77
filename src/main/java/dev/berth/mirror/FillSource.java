package dev.berth.mirror;

import dev.berth.fleet.RelayedBlob;
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

    /** The bytes of {@code blob}, from its owner in the fleet or the upstream, stored as the relay decides. */
    static FillSource of(RelayedBlob blob) {
        return new FillSource() {
            @Override
            public UpstreamBlob open() {
                return blob.open();
            }

            @Override
            public void store(BlobSpool spool) {
                blob.store(spool);
            }
        };
    }
}
