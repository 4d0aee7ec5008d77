package dev.berth.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The root file systems of images that tests run beside berth's own, made from Debian's packages by
 * {@code test-images/build} (mmdebstrap, no image registry) and kept under {@code target/test-images} for later runs.
 */
public final class DebianImages {
    private static final Path BUILD = Path.of("test-images", "build");
    private static final Path NGINX = Path.of("target", "test-images", "nginx.tar");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    private DebianImages() {
    }

    /**
     * Debian's nginx as a tar for {@code docker import}, built on first use; skips the test (fails it on CI) without
     * root or mmdebstrap.
     */
    public static synchronized Path nginx() {
        if (!NGINX.toFile().isFile()) {
            Tools.requireRoot("building the nginx test image");
            Tools.require("mmdebstrap", "mmdebstrap");
            ExternalCommand.succeed(List.of(BUILD.toAbsolutePath().toString()), BUILD_TIMEOUT);
        }
        return NGINX.toAbsolutePath();
    }
}
