package dev.berth.mirror;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.ChildBerth;
import dev.berth.support.GzipBomb;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that sends more than it should, against a berth in its own JVM with a small heap: a gzip body that
 * inflates to hundreds of megabytes is refused with 502 at the document limit and berth lives on; a blob that goes on
 * past the size the upstream's HEAD gave is cut off one byte past it and nothing is stored.
 */
class HostileUpstreamTest {
    private static final String REPO = "library/busybox";
    /** Far more than any limit, and more than the heap: held whole, it would end berth. */
    private static final long BOMB_BYTES = 256L * 1024 * 1024;
    private static final String HEAP = "-Xmx96m";

    @StartStop
    public final MockWebServer upstream = new MockWebServer();
    @TempDir
    Path root;

    private final Map<String, Supplier<MockResponse>> answers = new ConcurrentHashMap<>();
    private ChildBerth berth;

    @BeforeEach
    void start() throws IOException {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Supplier<MockResponse> answer = answers.get(request.getMethod() + " " + request.getUrl().encodedPath());
                return answer != null ? answer.get() : new MockResponse.Builder().code(404).build();
            }
        });
        berth = ChildBerth.start(List.of(), root, "mirror:\n  upstreams:\n    - {registry: docker.io, url: '"
                + upstream.url("/") + "', default: true, read-timeout: 30s}\n", HEAP);
    }

    @AfterEach
    void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void aGzipBombOfATagListIs502AtTheDocumentLimitAndBerthLivesOn() {
        Buffer bomb = GzipBomb.of("{\"name\":\"" + REPO + "\",\"tags\":[\"", 'a', BOMB_BYTES);
        answers.put("GET /v2/" + REPO + "/tags/list", () -> gzip(bomb));

        assertRefusedAtTheLimit("/v2/busybox/tags/list", "tag list is larger than 8388608 bytes",
                "mirror.upstreams[].max-document-size");
    }

    @Test
    void aGzipBombOfAManifestIs502AtTheManifestLimit() {
        Digest digest = Digest.sha256(TestData.utf8("the manifest the bomb claims to be"));
        answers.put("HEAD /v2/" + REPO + "/manifests/latest", () -> new MockResponse.Builder()
                .addHeader("Docker-Content-Digest", digest.toString())
                .addHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json").build());
        Buffer bomb = GzipBomb.of("{\"schemaVersion\":2,\"annotations\":{\"a\":\"", 'a', BOMB_BYTES);
        answers.put("GET /v2/" + REPO + "/manifests/" + digest, () -> gzip(bomb));

        assertRefusedAtTheLimit("/v2/busybox/manifests/latest", "manifest is larger than 4194304 bytes",
                "limits.max-manifest-size");
    }

    @Test
    void aBlobLongerThanItsHeadSaidIsCutOffOneBytePastItAndNotStored() throws Exception {
        byte[] blob = TestData.bytes(1600, 7);
        Digest digest = Digest.sha256(blob);
        String path = "/v2/" + REPO + "/blobs/" + digest;
        answers.put("HEAD " + path, () -> new MockResponse.Builder().setHeader("Content-Length", 1600).build());
        EndlessBody endless = new EndlessBody(blob);
        answers.put("GET " + path, endless::response);

        HttpResponse<InputStream> r = berth.client().stream("/v2/busybox/blobs/" + digest);
        MirrorTestBase.Received received = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> MirrorTestBase.readUntilEndOrFailure(r.body()));

        assertTrue(r.statusCode() == 503 || (r.statusCode() == 200 && received.failure() != null
                && received.bytes().length < blob.length), () -> r.statusCode() + ", " + received);
        long sent = endless.stopped.get(30, TimeUnit.SECONDS);
        assertTrue(sent < EndlessBody.LIMIT / 10, () -> "berth read on to " + sent + " bytes");
        try (Stream<Path> files = Files.walk(root)) {
            assertFalse(files.anyMatch(p -> p.toString().contains(digest.hex())), "nothing of the blob is stored");
        }
        assertNotEquals(200, berth.client().get("/v2/busybox/blobs/" + digest).statusCode(),
                "asked again, the upstream's overlong blob is refused again");
        assertServesOn();
    }

    /** GET {@code path} is 502 with a message naming the upstream, the limit and its key; berth serves on. */
    private void assertRefusedAtTheLimit(String path, String limit, String key) {
        HttpResponse<byte[]> r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> berth.client().get(path));
        assertError(r, 502, "UNAVAILABLE");
        String message = json(r).path("errors").path(0).path("message").asText();
        assertTrue(message.contains("upstream docker.io") && message.contains(limit) && message.contains(key), message);
        assertServesOn();
    }

    private void assertServesOn() {
        assertTrue(berth.isAlive(), () -> "berth died: " + berth.output());
        assertEquals(200, berth.client().get("/v2/").statusCode());
        assertFalse(berth.output().contains("OutOfMemoryError"), berth::output);
    }

    private static MockResponse gzip(Buffer bomb) {
        return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .addHeader("Content-Encoding", "gzip").body(bomb.copy()).build();
    }

    /**
     * A blob's bytes, then more and more, chunked with no length, up to {@link #LIMIT}; says how much it sent when
     * berth stopped reading (the write failed) or it reached the limit.
     */
    private static final class EndlessBody implements MockResponseBody {
        static final long LIMIT = 300L * 1024 * 1024;
        private static final int CHUNK = 64 * 1024;

        final CompletableFuture<Long> stopped = new CompletableFuture<>();
        private final byte[] start;

        EndlessBody(byte[] start) {
            this.start = start;
        }

        MockResponse response() {
            return new MockResponse.Builder().body(this).removeHeader("Content-Length")
                    .addHeader("Transfer-Encoding", "chunked").build();
        }

        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            long sent = 0;
            try {
                chunk(sink, start);
                sent += start.length;
                byte[] more = new byte[CHUNK];
                while (sent < LIMIT) {
                    chunk(sink, more);
                    sent += more.length;
                }
                sink.writeUtf8("0\r\n\r\n").flush();
            } finally {
                stopped.complete(sent);
            }
        }

        private static void chunk(BufferedSink sink, byte[] bytes) throws IOException {
            sink.writeUtf8(Integer.toHexString(bytes.length) + "\r\n").write(bytes).writeUtf8("\r\n").flush();
        }
    }
}
