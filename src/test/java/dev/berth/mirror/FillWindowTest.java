package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.oci.Digest;
import dev.berth.registry.BlobContent;
import dev.berth.registry.BlobStore;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.ForwardingStorage;
import dev.berth.support.ExternalCommand;
import dev.berth.support.Poll;
import dev.berth.support.TestData;
import dev.berth.upstream.UpstreamBlob;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BlobFill}'s window: with the disk stuck (the spool is a pipe nobody reads yet), a client at the head of a
 * download still gets the whole verified blob from memory, the download holds no more than its window meanwhile, and
 * once the disk moves the spool gets every byte in order and the blob is stored.
 */
@Timeout(60)
class FillWindowTest {
    private static final int CHUNK = 128 * 1024;

    @TempDir
    Path root;

    @Test
    void aClientAtTheHeadGetsTheWholeBlobWhileTheDiskIsStuck() throws Exception {
        StuckDisk disk = new StuckDisk(root);
        FillMemory memory = new FillMemory(CHUNK, BlobFill.WINDOW_CHUNKS);
        byte[] content = TestData.bytes(16 * CHUNK - 5, 1);
        Digest digest = Digest.sha256(content);
        BlobStore blobs = new BlobStore(disk);
        BlobFill fill = new BlobFill(digest, blobs,
                () -> new UpstreamBlob(new ByteArrayInputStream(content), content.length), memory);
        Thread.ofVirtual().start(fill);

        // Every byte from the window: the spool holds none of them, as the pipe was never read.
        assertArrayEquals(content, read(fill.open()));

        assertArrayEquals(content, disk.drain(content.length));
        fill.stored().get(10, TimeUnit.SECONDS);
        assertEquals(0, memory.inUse());
        assertArrayEquals(content, read(blobs.open(digest).orElseThrow()));
    }

    @Test
    void theDownloadHoldsNoMoreThanItsWindowWhileTheDiskIsStuck() throws Exception {
        StuckDisk disk = new StuckDisk(root);
        FillMemory memory = new FillMemory(CHUNK, 2 * BlobFill.WINDOW_CHUNKS);
        byte[] content = TestData.bytes(2 * BlobFill.WINDOW_CHUNKS * CHUNK, 2);
        Digest digest = Digest.sha256(content);
        AtomicLong upstreamRead = new AtomicLong();
        BlobStore blobs = new BlobStore(disk);
        BlobFill fill = new BlobFill(digest, blobs,
                () -> new UpstreamBlob(new CountingStream(content, upstreamRead), content.length), memory);
        Thread download = Thread.ofPlatform().start(fill);

        Poll.until(() -> download.getState() == Thread.State.WAITING, "the download waits for the disk");
        assertEquals((long) BlobFill.WINDOW_CHUNKS * CHUNK, upstreamRead.get(), "read from the upstream");
        assertEquals(BlobFill.WINDOW_CHUNKS, memory.inUse(), "chunks held");

        assertArrayEquals(content, disk.drain(content.length));
        fill.stored().get(10, TimeUnit.SECONDS);
        assertEquals(0, memory.inUse());
        assertArrayEquals(content, read(blobs.open(digest).orElseThrow()));
    }

    private static byte[] read(BlobContent blob) throws IOException {
        try (blob) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            blob.copyTo(0, blob.size(), out);
            return out.toByteArray();
        }
    }

    /** A store whose scratch file is a pipe: writes to it block once the pipe is full, until the test drains it. */
    private static final class StuckDisk extends ForwardingStorage {
        private final Path pipe;
        private final CompletableFuture<byte[]> drained = new CompletableFuture<>();

        StuckDisk(Path root) {
            super(new FileSystemStorage(root.resolve("store")));
            pipe = root.resolve("spool.pipe");
            ExternalCommand.Result made = ExternalCommand.run(List.of("mkfifo", pipe.toString()),
                    Duration.ofSeconds(10));
            assertEquals(0, made.exitCode(), made.stderr());
        }

        @Override
        public Path newScratchFile() {
            return pipe;
        }

        /** Reads what the spool writer wrote, which lets it go on. */
        byte[] drain(int length) throws IOException {
            try (InputStream in = Files.newInputStream(pipe)) {
                byte[] bytes = in.readNBytes(length);
                drained.complete(bytes);
                return bytes;
            }
        }

        @Override
        public void importFile(String key, Path file) {
            // The pipe's bytes, drained by the test, become a real scratch file to import.
            try {
                Path real = store.newScratchFile();
                Files.write(real, drained.join());
                Files.delete(file);
                store.importFile(key, real);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The upstream's body, counting what the download has read of it. */
    private static final class CountingStream extends ByteArrayInputStream {
        private final AtomicLong count;

        CountingStream(byte[] content, AtomicLong count) {
            super(content);
            this.count = count;
        }

        @Override
        public synchronized int read(byte[] into, int offset, int length) {
            int n = super.read(into, offset, length);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }
    }
}
