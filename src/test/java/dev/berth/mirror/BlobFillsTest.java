package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.BlobStore;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.TestData;
import dev.berth.upstream.UpstreamBlob;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BlobFills}: many clients of one blob share one download and link it once into each repository. */
class BlobFillsTest {
    private static final int CLIENTS = 20;

    @TempDir
    Path root;

    @Test
    void clientsOfOneRepositoryJoiningOneFillLinkTheBlobOnce() throws Exception {
        BlobStore blobs = new BlobStore(new FileSystemStorage(root));
        BlobFills fills = fills(blobs);
        byte[] content = TestData.bytes(64 * 1024, 7);
        Digest digest = Digest.sha256(content);
        CountDownLatch allJoined = new CountDownLatch(1);
        AtomicInteger downloads = new AtomicInteger();
        // The bytes come once every client has joined: they all follow this download.
        FillSource source = held(content, allJoined, downloads);
        RepoName busybox = RepoName.of("docker.io/library/busybox");
        RepoName alpine = RepoName.of("docker.io/library/alpine");
        Map<RepoName, AtomicInteger> links = new ConcurrentHashMap<>();
        List<BlobContent> opened = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            RepoName repository = i % 4 == 3 ? alpine : busybox;
            opened.add(fills.join(digest, requester(repository, source,
                    () -> links.computeIfAbsent(repository, r -> new AtomicInteger()).incrementAndGet()))
                    .orElseThrow().open());
        }
        allJoined.countDown();
        for (BlobContent blob : opened) {
            assertArrayEquals(content, read(blob));
        }
        assertTrue(fills.awaitEnd(Duration.ofSeconds(10)), "the fill ends");

        assertEquals(1, downloads.get(), "one download for every client");
        assertEquals(1, links.get(busybox).get(), "busybox linked once for its 15 clients");
        assertEquals(1, links.get(alpine).get(), "alpine linked once for its 5 clients");
    }

    @Test
    void joiningOnlyARunningFillFollowsItAndNeverStartsOne() throws Exception {
        BlobStore blobs = new BlobStore(new FileSystemStorage(root));
        BlobFills fills = fills(blobs);
        byte[] content = TestData.bytes(64 * 1024, 8);
        Digest digest = Digest.sha256(content);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger downloads = new AtomicInteger();
        BlobFills.Requester requester = requester(RepoName.of("docker.io/library/busybox"),
                held(content, release, downloads), () -> { });

        assertTrue(fills.joinRunning(digest, requester).isEmpty(), "nothing runs yet: nothing joined, nothing started");
        assertEquals(0, downloads.get());
        BlobContent first = fills.join(digest, requester).orElseThrow().open();
        List<BlobContent> followers = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            followers.add(fills.joinRunning(digest, requester).orElseThrow().open());
        }
        release.countDown();
        assertArrayEquals(content, read(first));
        for (BlobContent blob : followers) {
            assertArrayEquals(content, read(blob));
        }
        assertTrue(fills.awaitEnd(Duration.ofSeconds(10)), "the fill ends");
        assertEquals(1, downloads.get(), "one download for the client that started it and all that joined");
        assertTrue(fills.joinRunning(digest, requester).isEmpty(), "a stored blob is not joined");
        assertEquals(1, downloads.get());
    }

    /** A source of {@code content} whose bytes come once {@code release} is open, counting its downloads. */
    private static FillSource held(byte[] content, CountDownLatch release, AtomicInteger downloads) {
        return () -> {
            downloads.incrementAndGet();
            return new UpstreamBlob(new FilterInputStream(new ByteArrayInputStream(content)) {
                @Override
                public int read(byte[] buffer, int offset, int count) throws IOException {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return super.read(buffer, offset, count);
                }
            }, content.length);
        };
    }

    /** A repository whose downloads come from {@code source}, which has every blob, and runs {@code linked}. */
    private static BlobFills.Requester requester(RepoName repository, FillSource source, Runnable linked) {
        return new BlobFills.Requester() {
            @Override
            public RepoName name() {
                return repository;
            }

            @Override
            public FillSource source(Digest digest) {
                return source;
            }

            @Override
            public void confirmHas(Digest digest) {
            }

            @Override
            public void link(Digest digest) {
                linked.run();
            }
        };
    }

    private static BlobFills fills(BlobStore blobs) {
        return new BlobFills(blobs, size -> { }, FillMemory.forHeap(Runtime.getRuntime().maxMemory()), digest -> { });
    }

    private static byte[] read(BlobContent blob) throws Exception {
        try (blob) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            blob.copyTo(0, blob.size(), out);
            return out.toByteArray();
        }
    }
}
