package dev.berth.support;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opened (berths, servers), closed after it, last opened first, every one even when one fails. Register
 * as a non-private {@code @RegisterExtension} instance field.
 */
public final class Closing implements AfterEachCallback {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Closes {@code resource} after the test; returns it. */
    public <T extends AutoCloseable> T add(T resource) {
        open.add(resource);
        return resource;
    }

    /** Leaves {@code resource} to the test, which closed it itself. */
    public void remove(AutoCloseable resource) {
        open.remove(resource);
    }

    /** How many are open. */
    public int size() {
        return open.size();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failure = null;
        for (AutoCloseable resource : open.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
