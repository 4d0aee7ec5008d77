package dev.berth.mirror;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import java.lang.System.Logger;

/**
 * The record of an upstream's confirmation (a tag, a referrers listing) written where a full store is no reason to
 * fail the request: what was fetched is served all the same, and recorded again on the next request.
 */
final class WhenStoreFull {
    private static final Logger LOG = System.getLogger(WhenStoreFull.class.getName());

    private WhenStoreFull() {
    }

    /** Runs {@code write}; whether it was recorded, false (logged) when the store is full. */
    static boolean recorded(String what, Runnable write) {
        try {
            write.run();
            return true;
        } catch (RegistryException e) {
            if (e.error() != OciError.INSUFFICIENT_STORAGE) {
                throw e;
            }
            LOG.log(Logger.Level.WARNING, "cannot record " + what + ": " + e.detail());
            return false;
        }
    }
}
