package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.berth.oci.Digest;
import dev.berth.registry.BlobContent;
import dev.berth.registry.BlobStore;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.TestData;
import dev.berth.upstream.UpstreamBlob;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BlobFill} with clients following it as it imports its spool, where the file is renamed under them. */
class BlobFillTest {
    private static final int FILLS = 200;
    private static final int FOLLOWERS = 4;

    @TempDir
    Path root;

    @Test
    void followersReadingAsTheFillImportsGetTheWholeBlob() throws Exception {
        BlobStore blobs = new BlobStore(new FileSystemStorage(root));
        FillMemory memory = new FillMemory(1024, BlobFill.WINDOW_CHUNKS);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < FILLS; i++) {
                // Small enough to arrive in one chunk, so every follower still reads while the fill imports.
                byte[] content = TestData.bytes(1000, i);
                Digest digest = Digest.sha256(content);
                BlobFill fill = new BlobFill(digest, blobs,
                        () -> new UpstreamBlob(new ByteArrayInputStream(content), content.length), memory);
                List<Future<byte[]>> followers = new ArrayList<>();
                for (int f = 0; f < FOLLOWERS; f++) {
                    followers.add(threads.submit(() -> read(fill.open())));
                }
                threads.submit(fill);
                for (Future<byte[]> follower : followers) {
                    assertArrayEquals(content, follower.get(), "fill " + i);
                }
            }
        }
    }

    private static byte[] read(BlobContent blob) throws Exception {
        try (blob) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            blob.copyTo(0, blob.size(), out);
            return out.toByteArray();
        }
    }
}
