package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory of 100,000 blobs: berth starts in seconds and serves them, because nothing at start walks them. */
class LargeCacheStartTest {
    private static final int BLOBS = 100_000;
    private static final Duration MAX_START = Duration.ofSeconds(5);

    @TempDir
    Path root;

    @Test
    void startsQuicklyOverAHundredThousandBlobs() throws IOException {
        // Sequentially: parallel creation measured slower, the writers contend for the same parent directories.
        for (int i = 0; i < BLOBS; i++) {
            writeBlob(i);
        }
        byte[] last = content(BLOBS - 1);
        Path layers = root.resolve("repositories/team/app/_layers/sha256/" + Digest.sha256(last).hex());
        Files.createDirectories(layers);
        Files.write(layers.resolve("link"), new byte[0]);
        Files.createDirectories(root.resolve("repositories/team/app/_manifests"));

        long started = System.nanoTime();
        try (RunningBerth berth = RunningBerth.start(root)) {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(MAX_START) < 0, "start-up took " + took);
            assertEquals(TestData.digest(last),
                    TestData.digest(berth.client().get("/v2/team/app/blobs/" + Digest.sha256(last)).body()));
        }
    }

    private static byte[] content(int i) {
        return ByteBuffer.allocate(Long.BYTES).putLong(i).array();
    }

    private void writeBlob(int i) {
        byte[] content = content(i);
        Digest digest = Digest.sha256(content);
        Path dir = root.resolve("blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex());
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("data"), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
