package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.ForwardingStorage;
import dev.berth.storage.Storage;
import dev.berth.support.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Links into a repository on a store that a fleet shares: clients that all ask to link a blob stored a moment ago (the
 * instances of a fleet, each asked for a blob another one just stored) write the link and its mark once between them.
 */
class SharedLinkTest {
    private static final int CLIENTS = 20;

    @TempDir
    Path root;

    @Test
    void clientsLinkingOneStoredBlobAtOnceWriteTheLinkOnce() throws Exception {
        FileSystemStorage disk = new FileSystemStorage(root);
        CountingWrites storage = new CountingWrites(disk);
        LocalRegistry registry = new LocalRegistry(storage, new FileUploadData(disk), 4 << 20, 0, Optional.empty(), true);
        byte[] content = TestData.bytes(4096, 9);
        Digest digest = Digest.sha256(content);
        registry.blobs().put(digest, content);
        RepoName name = RepoName.of("docker.io/library/busybox");
        int before = storage.writes.get();

        CountDownLatch go = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                registry.cache(name).linkBlob(digest);
            }));
        }
        go.countDown();
        for (Thread client : clients) {
            client.join();
        }

        assertTrue(registry.cache(name).hasBlob(digest), "linked");
        assertEquals(2, storage.writes.get() - before, "one mark and one link, not one of each per client");
        registry.cache(name).linkBlob(digest);
        assertEquals(2, storage.writes.get() - before, "linking what is linked writes nothing");
    }

    /** The store, counting writes of small objects (marks and links). */
    private static final class CountingWrites extends ForwardingStorage {
        final AtomicInteger writes = new AtomicInteger();

        CountingWrites(Storage store) {
            super(store);
        }

        @Override
        public void write(String key, byte[] content) {
            writes.incrementAndGet();
            super.write(key, content);
        }
    }
}
