package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A write failed because the disk (or the user's quota) is full: nothing was stored, and freeing space helps. */
public final class StorageFullException extends UncheckedIOException {
    StorageFullException(IOException cause) {
        super("no space left in storage: " + cause.getMessage(), cause);
    }

    /** Whether {@code e} is the operating system saying there is no space (ENOSPC) or no quota left (EDQUOT). */
    static boolean isFull(IOException e) {
        String message = e.getMessage();
        return message != null
                && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
    }
}
