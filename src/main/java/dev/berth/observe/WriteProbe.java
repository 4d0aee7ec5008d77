package dev.berth.observe;

import java.io.IOException;

/** One test that the storage takes writes now; throws when it does not. */
@FunctionalInterface
public interface WriteProbe {
    void probe() throws IOException;
}
