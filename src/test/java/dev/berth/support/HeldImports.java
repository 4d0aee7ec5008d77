package dev.berth.support;

import dev.berth.storage.Storage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Storage} whose {@link Storage#importFile imports} wait until the test releases them: the moment between a
 * download's last byte and the sync that stores it, held open so a test can look at it. Every other call goes through.
 */
public final class HeldImports {
    /** How long an import waits at most, so a test that forgets to release cannot hang the build. */
    private static final Duration MAX_HOLD = Duration.ofSeconds(30);

    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Path held;

    /** {@code target}, with its imports held. */
    public Storage wrap(Storage target) {
        return (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(), new Class<?>[] {Storage.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("importFile")) {
                        held = (Path) args[1];
                        reached.countDown();
                        if (!release.await(MAX_HOLD.toSeconds(), TimeUnit.SECONDS)) {
                            throw new IllegalStateException("held import never released");
                        }
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Waits until an import is held and returns the file it would import; fails the test after a while. */
    public Path awaitHeld() throws InterruptedException {
        if (!reached.await(MAX_HOLD.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("no import started");
        }
        return held;
    }

    /** Lets held imports, and those to come, go on. */
    public void release() {
        release.countDown();
    }
}
