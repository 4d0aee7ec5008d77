package dev.berth.registry;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.StorageFullException;
import java.util.function.Supplier;

/** Turns a full disk into the error clients get (507): the write stored nothing, and cached content is still served. */
final class StorageFull {
    private StorageFull() {
    }

    static RegistryException error(StorageFullException e) {
        return new RegistryException(OciError.INSUFFICIENT_STORAGE,
                "berth's disk is full: nothing was stored; what is already stored can still be pulled", e);
    }

    /** Runs a write, answering a full disk with {@link #error}. */
    static <T> T translated(Supplier<T> write) {
        try {
            return write.get();
        } catch (StorageFullException e) {
            throw error(e);
        }
    }

    /** Runs a write, answering a full disk with {@link #error}. */
    static void translated(Runnable write) {
        translated(() -> {
            write.run();
            return null;
        });
    }
}
