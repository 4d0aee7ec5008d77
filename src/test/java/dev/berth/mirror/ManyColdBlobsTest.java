package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.ChildBerth;
import dev.berth.support.MockHub;
import dev.berth.support.TestData;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many cold blobs at once through a berth whose heap is 64 MiB: their downloads' windows want far more memory than
 * the fills may hold together, so they share it (taking spooled chunks from each other), and every client still
 * gets every blob whole and verified, with one upstream GET per blob.
 */
class ManyColdBlobsTest {
    private static final int BLOBS = 8;
    private static final int CLIENTS_PER_BLOB = 3;
    private static final int SIZE = 24 * 1024 * 1024 + 17;

    @StartStop
    public final MockWebServer hubServer = new MockWebServer();
    @TempDir
    Path root;

    private final MockHub hub = new MockHub(hubServer, null, MockHub.DOCKER_HUB_SERVICE);

    @Test
    void everyClientGetsItsBlobWholeWithinABoundedHeap() throws Exception {
        List<Digest> digests = new ArrayList<>();
        for (int i = 0; i < BLOBS; i++) {
            byte[] blob = TestData.bytes(SIZE, 100 + i);
            hub.blob("library/many", blob);
            digests.add(Digest.sha256(blob));
        }
        try (ChildBerth berth = ChildBerth.start(List.of(), root, "mirror:\n  upstreams:\n    - {registry: docker.io,"
                + " url: '" + hub.url() + "', default: true}\n", "-Xmx64m");
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            HttpClient http = HttpClient.newHttpClient();
            List<Future<Digest>> pulls = new ArrayList<>();
            for (int c = 0; c < CLIENTS_PER_BLOB; c++) {
                for (Digest digest : digests) {
                    URI uri = URI.create("http://127.0.0.1:" + berth.port() + "/v2/library/many/blobs/" + digest);
                    pulls.add(clients.submit(() -> pull(http, uri)));
                }
            }
            for (int i = 0; i < pulls.size(); i++) {
                assertEquals(digests.get(i % BLOBS), pulls.get(i).get(2, TimeUnit.MINUTES), "client " + i);
            }
            for (Digest digest : digests) {
                assertEquals(1, hub.served("GET", "/v2/library/many/blobs/" + digest), "upstream GETs of " + digest);
            }
            assertTrue(berth.isAlive(), () -> "berth died: " + berth.output());
            assertFalse(berth.output().contains("OutOfMemoryError"), berth::output);
        }
    }

    /** The digest of what a client got, which must have been a whole 200. */
    private static Digest pull(HttpClient http, URI uri) throws Exception {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode(), uri.toString());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long size = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = body.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
                size += n;
            }
        }
        assertEquals(SIZE, size, uri.toString());
        return Digest.of(sha.digest(), "sha256");
    }
}
