package dev.berth.mirror;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.HeldBody;
import dev.berth.support.MockHub;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A crowd pulling the same uncached image: the upstream sees each request once, and everyone gets the bytes. */
class SingleFlightTest extends MirrorTestBase {
    @Test
    void twentyColdPullsOfATagMakeOneHeadAndOneGet() throws Exception {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        CountDownLatch start = new CountDownLatch(1);

        List<HttpResponse<byte[]>> responses = all(20, () -> {
            start.await();
            return client.get("/v2/busybox/manifests/latest");
        }, start);

        for (HttpResponse<byte[]> r : responses) {
            assertManifest(r, image.manifest(), MediaTypes.OCI_MANIFEST);
        }
        String tag = manifestPath(BUSYBOX, "latest");
        assertEquals(1, hub.served("HEAD", tag), () -> "one HEAD for the whole crowd: " + hub.log());
        assertEquals(2, hub.count("HEAD", tag), "and one anonymous probe before it");
        assertEquals(1, hub.served("GET", manifestPath(BUSYBOX, image.ref())), hub.log()::toString);
        assertEquals(3, hub.requests());
        assertEquals(1, authServer.getRequestCount(), "one token");
    }

    @Test
    void fiftyColdPullsOfABlobFollowOneDownloadWhileItRuns() throws Exception {
        byte[] layer = TestData.bytes(1024 * 1024, 2);
        HeldBody held = busyboxWithHeldLayer(layer);
        String path = blobPath(BUSYBOX, layer);
        CountDownLatch firstBytes = new CountDownLatch(50);
        int clients = 50;

        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<byte[]>> pulls = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                pulls.add(pool.submit(() -> {
                    HttpResponse<InputStream> r = client.stream(blobPath("busybox", layer));
                    assertEquals(200, r.statusCode());
                    assertEquals(Digest.sha256(layer).toString(),
                            r.headers().firstValue("Docker-Content-Digest").orElse(""));
                    try (InputStream in = r.body()) {
                        int first = in.read();
                        firstBytes.countDown();
                        byte[] rest = in.readAllBytes();
                        byte[] all = new byte[rest.length + 1];
                        all[0] = (byte) first;
                        System.arraycopy(rest, 0, all, 1, rest.length);
                        return all;
                    }
                }));
            }
            // The hub holds all but the first part until every client has bytes: they came from the download in
            // flight, not from a finished copy.
            assertTrue(firstBytes.await(10, TimeUnit.SECONDS),
                    () -> firstBytes.getCount() + " clients had no bytes while the upstream download was held");
            assertEquals(1, hub.served("GET", path), "all " + clients + " clients follow the one download");
        } finally {
            held.release();
            pool.shutdown();
        }
        for (Future<byte[]> pull : pulls) {
            assertArrayEquals(layer, pull.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, hub.served("GET", path));

        // Once stored, a blob is served from the cache.
        assertBlob(client.get(blobPath("busybox", layer)), layer);
        assertEquals(1, hub.served("GET", path), hub.log()::toString);
    }

    @Test
    void aDownloadJoinedFromAnotherRepositoryIsConfirmedThereAndStillMadeOnce() throws Exception {
        byte[] layer = TestData.bytes(1024 * 1024, 3);
        HeldBody held = busyboxWithHeldLayer(layer);
        hub.image("library/alpine", "latest", TestData.utf8("{\"alpine\":1}"), layer);
        try {
            InputStream first = downloadInFlight(blobPath("busybox", layer));

            HttpResponse<InputStream> joined = client.stream(blobPath("alpine", layer));
            assertEquals(200, joined.statusCode());
            assertEquals(1, hub.served("HEAD", blobPath("library/alpine", layer)),
                    () -> "alpine's upstream confirmed the blob before the join: " + hub.log());
            held.release();
            assertArrayEquals(Arrays.copyOfRange(layer, 1, layer.length), first.readAllBytes());
            try (InputStream in = joined.body()) {
                assertArrayEquals(layer, in.readAllBytes());
            }
        } finally {
            held.release();
        }
        awaitFillsStored(client);
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, layer)), "one download for both repositories");
        assertEquals(0, hub.count("GET", blobPath("library/alpine", layer)), hub.log()::toString);
        assertBlob(client.get(blobPath("alpine", layer)), layer);
        assertEquals(1, hub.served("HEAD", blobPath("library/alpine", layer)), "linked: served from the cache");
    }

    @Test
    void clientsAskingAtOnceForABlobStoredThroughAnotherRepositoryShareOneConfirmation() throws Exception {
        byte[] layer = TestData.bytes(256 * 1024, 6);
        hub.image("library/busybox", "latest", TestData.utf8("{\"busybox\":1}"), layer);
        hub.image("library/alpine", "latest", TestData.utf8("{\"alpine\":1}"), layer);
        assertBlob(client.get(blobPath("busybox", layer)), layer);
        awaitFillsStored(client);
        int clients = 20;

        CountDownLatch start = new CountDownLatch(1);
        List<HttpResponse<byte[]>> answers = all(clients, () -> {
            start.await();
            return client.get(blobPath("alpine", layer));
        }, start);

        for (HttpResponse<byte[]> answer : answers) {
            assertBlob(answer, layer);
        }
        // One each, in turn, before: every client confirmed the blob upstream and linked it itself.
        int heads = hub.served("HEAD", blobPath("library/alpine", layer));
        assertTrue(heads < clients / 4, () -> heads + " HEADs for " + clients + " clients: " + hub.log());
        assertEquals(0, hub.count("GET", blobPath("library/alpine", layer)), hub.log()::toString);
    }

    @Test
    void aDownloadJoinedFromARepositoryWithoutTheBlobIs404AndLinksNothing() throws Exception {
        byte[] layer = TestData.bytes(1024 * 1024, 4);
        HeldBody held = busyboxWithHeldLayer(layer);
        hub.image("library/alpine", "latest", 5);
        try {
            InputStream first = downloadInFlight(blobPath("busybox", layer));

            assertError(client.get(blobPath("alpine", layer)), 404, "BLOB_UNKNOWN");
            held.release();
            assertArrayEquals(Arrays.copyOfRange(layer, 1, layer.length), first.readAllBytes());
        } finally {
            held.release();
        }
        // Stored now through busybox, and still unknown to alpine.
        assertError(client.get(blobPath("alpine", layer)), 404, "BLOB_UNKNOWN");
        assertError(client.head(blobPath("alpine", layer)), 404, "BLOB_UNKNOWN");
        assertEquals(List.of("HEAD " + blobPath("library/alpine", layer) + " 404"),
                hub.log().stream().filter(line -> line.contains("/library/alpine/blobs/") && !line.endsWith(" 401"))
                        .toList(), "one HEAD, remembered as absent, and no download through alpine");
    }

    /** Starts a client's download of {@code path} and reads its first byte: the fill runs (held) from then on. */
    private InputStream downloadInFlight(String path) throws IOException {
        HttpResponse<InputStream> r = client.stream(path);
        assertEquals(200, r.statusCode());
        InputStream in = r.body();
        assertTrue(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> in.read()) >= 0,
                "the first bytes arrive while the upstream holds the rest");
        return in;
    }

    /** Runs {@code n} copies of {@code task} at once (released together by {@code start}) and collects results. */
    private static <T> List<T> all(int n, Callable<T> task, CountDownLatch start) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(20, TimeUnit.SECONDS));
            }
            return results;
        }
    }
}
