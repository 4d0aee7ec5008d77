package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.ChildBerth;
import dev.berth.support.TestData;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 1 GiB blob pushed and pulled through a berth whose heap is 64 MiB: nothing may hold a blob in memory. */
class LargeBlobTest {
    static final long SIZE = 1L << 30;

    @TempDir
    Path root;

    @Test
    void oneGibibyteThroughA64MiBHeap() throws Exception {
        Digest digest = Digest.of(hash(TestData.stream(SIZE, 7)), "sha256");
        HttpClient http = HttpClient.newHttpClient();
        try (ChildBerth berth = ChildBerth.start(root, "-Xmx64m")) {
            URI base = URI.create("http://127.0.0.1:" + berth.port());
            HttpResponse<Void> started = http.send(HttpRequest.newBuilder(base.resolve("/v2/big/blob/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            String location = started.headers().firstValue("Location").orElseThrow();

            HttpResponse<Void> patched = http.send(HttpRequest.newBuilder(base.resolve(location))
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> TestData.stream(SIZE, 7)))
                    .build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(202, patched.statusCode());
            assertEquals("0-" + (SIZE - 1), patched.headers().firstValue("Range").orElse(""));

            HttpResponse<Void> put = http.send(HttpRequest.newBuilder(base.resolve(location + "?digest=" + digest))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(201, put.statusCode());

            HttpResponse<InputStream> pulled = http.send(HttpRequest.newBuilder(
                    base.resolve("/v2/big/blob/blobs/" + digest)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, pulled.statusCode());
            assertEquals(String.valueOf(SIZE), pulled.headers().firstValue("Content-Length").orElse(""));
            try (InputStream body = pulled.body()) {
                assertEquals(digest, Digest.of(hash(body), "sha256"), "pulled bytes differ from pushed ones");
            }
            assertTrue(berth.isAlive(), () -> "berth died: " + berth.output());
            assertTrue(!berth.output().contains("OutOfMemoryError"), berth::output);
        }
    }

    private static byte[] hash(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            sha.update(buffer, 0, n);
            total += n;
        }
        assertEquals(SIZE, total);
        return sha.digest();
    }
}
