package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.RunningBerth;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mirrored blob whose download fails before berth has sent a byte of it is answered as an error, headers and all. */
class MirroredBlobErrorTest {
    @TempDir
    Path root;

    @Test
    void downloadBrokenOffBeforeTheFirstByteIsAnErrorOfItsOwnLength() throws IOException {
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> announceAndHangUp(upstream));
            String mirror = "mirror:\n  upstreams:\n    - {registry: docker.io, url: 'http://127.0.0.1:"
                    + upstream.getLocalPort() + "', default: true}\n";
            try (RunningBerth berth = RunningBerth.start(root, mirror)) {
                // The error used to keep the blob's Content-Length: 1000, and clients waited for the rest.
                HttpResponse<byte[]> r = assertTimeoutPreemptively(Duration.ofSeconds(10),
                        () -> berth.client().get("/v2/library/busybox/blobs/sha256:" + "a".repeat(64)));
                String body = new String(r.body(), StandardCharsets.UTF_8);
                assertTrue(r.statusCode() >= 500 && body.startsWith("{\"errors\":"), r.statusCode() + " " + body);
                assertEquals(Optional.of(String.valueOf(r.body().length)), r.headers().firstValue("Content-Length"));
                assertEquals(Optional.empty(), r.headers().firstValue("Docker-Content-Digest"));
            }
        }
    }

    /**
     * Answers each connection with headers announcing 1000 bytes, then hangs up without sending any. MockWebServer
     * cannot: its responses either send no headers or keep the connection open.
     */
    private static void announceAndHangUp(ServerSocket upstream) {
        while (true) {
            try (Socket connection = upstream.accept()) {
                InputStream request = connection.getInputStream();
                // Up to the blank line that ends a GET's headers.
                for (int matched = 0; matched < 4; ) {
                    int b = request.read();
                    if (b < 0) {
                        break;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // The server socket closed: the test is over.
                return;
            }
        }
    }
}
