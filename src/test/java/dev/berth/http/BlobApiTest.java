package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.LogCapture;
import dev.berth.support.Poll;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class BlobApiTest extends ApiTestBase {
    @Test
    void baseEndpointAnswersWithApiVersion() {
        HttpResponse<byte[]> r = client.get("/v2/");
        assertEquals(200, r.statusCode());
        assertEquals("registry/2.0", header(r, "Docker-Distribution-API-Version"));
        assertEquals("{}", new String(r.body()));
        assertEquals(200, client.head("/v2/").statusCode());
    }

    @Test
    void getReturnsTheBytesWithDigestHeaders() {
        byte[] blob = TestData.bytes(700_000, 1);
        String digest = client.pushBlob("team/app", blob);

        HttpResponse<byte[]> r = client.get("/v2/team/app/blobs/" + digest);
        assertEquals(200, r.statusCode());
        assertArrayEquals(blob, r.body());
        assertEquals(digest, header(r, "Docker-Content-Digest"));
        assertEquals("bytes", header(r, "Accept-Ranges"));
        assertEquals("application/octet-stream", header(r, "Content-Type"));
        assertEquals("\"" + digest + "\"", header(r, "ETag"));
        assertEquals("max-age=31536000", header(r, "Cache-Control"));
    }

    @Test
    void aClientGoneMidBlobIsOneLineWithoutAStackTrace() throws IOException, InterruptedException {
        // Larger than what the loopback's socket buffers hold, so berth's writes fail once the client is gone.
        byte[] blob = TestData.bytes(48 * 1024 * 1024, 9);
        String digest = client.pushBlob("team/app", blob);
        String path = "/v2/team/app/blobs/" + digest;
        try (LogCapture log = LogCapture.of("")) {
            try (Socket socket = new Socket("127.0.0.1", berth.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: berth\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                assertTrue(in.readNBytes(64 * 1024).length == 64 * 1024, "the download started");
                // Reset rather than a polite close: berth's next write fails.
                socket.setSoLinger(true, 0);
            }
            Poll.until(() -> log.messages(Level.INFO).stream().anyMatch(m -> m.contains("the client went away")),
                    "berth noticed the client leave");
            List<String> lines = log.messages(Level.INFO).stream().filter(m -> m.contains(path)).toList();
            assertEquals(1, lines.stream().filter(m -> m.startsWith("GET " + path + ": the client went away after ")
                    && m.endsWith(" of " + blob.length + " bytes")).count(), lines::toString);
            assertFalse(log.text().contains("Unable to reset"), log::text);
            assertFalse(log.text().contains("\tat "), () -> "no stack trace at INFO and above: " + log.text());
        }
        assertArrayEquals(blob, client.get(path).body(), "the next download is whole");
    }

    @Test
    void headReportsLengthWithoutBody() {
        byte[] blob = TestData.bytes(12345, 2);
        String digest = client.pushBlob("team/app", blob);

        HttpResponse<byte[]> r = client.head("/v2/team/app/blobs/" + digest);
        assertEquals(200, r.statusCode());
        assertEquals("12345", header(r, "Content-Length"));
        assertEquals(digest, header(r, "Docker-Content-Digest"));
        assertEquals(0, r.body().length);
    }

    @Test
    void rangesAreServedAsPartialContent() {
        byte[] blob = TestData.bytes(100_000, 3);
        String digest = client.pushBlob("team/app", blob);
        String path = "/v2/team/app/blobs/" + digest;

        HttpResponse<byte[]> middle = client.get(path, "Range", "bytes=1000-1999");
        assertEquals(206, middle.statusCode());
        assertEquals("bytes 1000-1999/100000", header(middle, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(blob, 1000, 2000), middle.body());

        HttpResponse<byte[]> open = client.get(path, "Range", "bytes=99990-");
        assertArrayEquals(Arrays.copyOfRange(blob, 99990, 100000), open.body());

        HttpResponse<byte[]> suffix = client.get(path, "Range", "bytes=-10");
        assertEquals("bytes 99990-99999/100000", header(suffix, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(blob, 99990, 100000), suffix.body());
    }

    @Test
    void severalRangesAreOnePartWhenTheyNearlyTouchAndMultipartOtherwise() {
        byte[] blob = TestData.bytes(100_000, 7);
        String path = "/v2/team/app/blobs/" + client.pushBlob("team/app", blob);

        // Overlapping or 40 bytes apart: fewer bytes as one range than as two parts.
        HttpResponse<byte[]> near = client.get(path, "Range", "bytes=50-59,0-9,5-20");
        assertEquals(206, near.statusCode());
        assertEquals("bytes 0-59/100000", header(near, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(blob, 0, 60), near.body());

        HttpResponse<byte[]> apart = client.get(path, "Range", "bytes=1000-1009,-5");
        assertEquals(206, apart.statusCode());
        String contentType = header(apart, "Content-Type");
        assertTrue(contentType.startsWith("multipart/byteranges; boundary="), contentType);
        String boundary = contentType.substring(contentType.indexOf('=') + 1);
        String body = new String(apart.body(), StandardCharsets.ISO_8859_1);
        String expected = "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes"
                + " 1000-1009/100000\r\n\r\n" + new String(blob, 1000, 10, StandardCharsets.ISO_8859_1)
                + "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes"
                + " 99995-99999/100000\r\n\r\n" + new String(blob, 99995, 5, StandardCharsets.ISO_8859_1)
                + "\r\n--" + boundary + "--\r\n";
        assertEquals(expected, body);
        assertEquals(String.valueOf(apart.body().length), header(apart, "Content-Length"));
    }

    @Test
    void severalRangesThatCostMoreThanTheBlobGetTheWholeBlob() {
        byte[] blob = TestData.bytes(100_000, 8);
        String path = "/v2/team/app/blobs/" + client.pushBlob("team/app", blob);

        // Nearly all of it in two parts: their headers make it more than the blob.
        HttpResponse<byte[]> most = client.get(path, "Range", "bytes=0-49999,50200-");
        assertEquals(200, most.statusCode());
        assertEquals("100000", header(most, "Content-Length"));
        assertArrayEquals(blob, most.body());

        // More range-specs than berth serves as parts.
        StringBuilder many = new StringBuilder("bytes=0-0");
        for (int i = 1; i <= 64; i++) {
            many.append(',').append(i * 1000).append('-').append(i * 1000);
        }
        HttpResponse<byte[]> tooMany = client.get(path, "Range", many.toString());
        assertEquals(200, tooMany.statusCode());
        assertArrayEquals(blob, tooMany.body());
    }

    @Test
    void ifRangeWithAnotherValidatorGetsTheWholeBlob() {
        byte[] blob = TestData.bytes(1000, 9);
        String digest = client.pushBlob("team/app", blob);
        String path = "/v2/team/app/blobs/" + digest;

        HttpResponse<byte[]> same = client.get(path, "Range", "bytes=0-9", "If-Range", "\"" + digest + "\"");
        assertEquals(206, same.statusCode());
        assertArrayEquals(Arrays.copyOf(blob, 10), same.body());

        for (String other : List.of("\"sha256:0\"", "W/\"" + digest + "\"", "Tue, 01 Dec 2026 00:00:00 GMT")) {
            HttpResponse<byte[]> whole = client.get(path, "Range", "bytes=0-9", "If-Range", other);
            assertEquals(200, whole.statusCode(), other);
            assertArrayEquals(blob, whole.body());
        }
    }

    @Test
    void unsatisfiableRangeIs416() {
        String digest = client.pushBlob("team/app", TestData.bytes(100, 4));
        HttpResponse<byte[]> r = client.get("/v2/team/app/blobs/" + digest, "Range", "bytes=100-200");
        assertError(r, 416, "RANGE_INVALID");
        assertEquals("bytes */100", header(r, "Content-Range"));
    }

    @Test
    void blobIsOnlyReachableThroughRepositoriesThatHaveIt() {
        String digest = client.pushBlob("team-a/app", TestData.bytes(1000, 5));
        assertError(client.get("/v2/team-b/x/blobs/" + digest), 404, "BLOB_UNKNOWN");
        assertError(client.head("/v2/team-b/x/blobs/" + digest), 404, "BLOB_UNKNOWN");
    }

    @Test
    void unknownBlobIs404() {
        assertError(client.get("/v2/team/app/blobs/" + TestData.digest(new byte[] {1})), 404, "BLOB_UNKNOWN");
    }

    @Test
    void deleteUnlinksTheBlob() {
        String digest = client.pushBlob("team/app", TestData.bytes(1000, 6));
        assertEquals(202, client.delete("/v2/team/app/blobs/" + digest).statusCode());
        assertError(client.get("/v2/team/app/blobs/" + digest), 404, "BLOB_UNKNOWN");
        assertError(client.delete("/v2/team/app/blobs/" + digest), 404, "BLOB_UNKNOWN");
    }

    @Test
    void emptyBlobCanBePushedAndPulled() {
        String digest = client.pushBlob("team/app", new byte[0]);
        HttpResponse<byte[]> r = client.get("/v2/team/app/blobs/" + digest);
        assertEquals(200, r.statusCode());
        assertEquals(0, r.body().length);
    }
}
