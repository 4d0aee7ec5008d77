package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The store cannot be reached, or refuses service for now (a timeout, a refused connection, a 5xx or a 503 SlowDown):
 * nothing is wrong with the request, and the same request may succeed later.
 */
public final class StorageUnavailableException extends UncheckedIOException {
    StorageUnavailableException(String message, IOException cause) {
        super(message, cause);
    }
}
