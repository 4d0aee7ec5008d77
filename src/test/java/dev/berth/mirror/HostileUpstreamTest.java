package dev.berth.mirror;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
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
 * past the size the upstream announced (its HEAD, a manifest's descriptor) is cut off one byte past it, whatever its
 * own Content-Length says, and nothing is stored.
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
        answers.put("HEAD " + blobPath(blob), () -> sized(1600));
        EndlessBody endless = new EndlessBody(blob, false);
        answers.put("GET " + blobPath(blob), endless::response);

        assertCutOffAndNotStored(blob, endless, berth.client().stream("/v2/busybox/blobs/" + Digest.sha256(blob)));
    }

    @Test
    void aBlobWhoseGetClaimsMoreThanItsHeadIsCutOffAtTheHeadsSize() throws Exception {
        byte[] blob = TestData.bytes(1600, 8);
        answers.put("HEAD " + blobPath(blob), () -> sized(1600));
        EndlessBody endless = new EndlessBody(blob, true);
        answers.put("GET " + blobPath(blob), endless::response);
        // A client asks for the size first, as docker does.
        assertEquals("1600", berth.client().head("/v2/busybox/blobs/" + Digest.sha256(blob)).headers()
                .firstValue("Content-Length").orElseThrow());

        assertCutOffAndNotStored(blob, endless, berth.client().stream("/v2/busybox/blobs/" + Digest.sha256(blob)));
    }

    @Test
    void aBlobLongerThanItsManifestsDescriptorIsCutOffThere() throws Exception {
        byte[] config = TestData.utf8("{}");
        byte[] layer = TestData.bytes(1600, 9);
        byte[] manifest = TestData.ociManifest(config, layer);
        Digest digest = Digest.sha256(manifest);
        answers.put("HEAD /v2/" + REPO + "/manifests/latest", () -> new MockResponse.Builder()
                .addHeader("Docker-Content-Digest", digest.toString()).build());
        answers.put("GET /v2/" + REPO + "/manifests/" + digest, () -> new MockResponse.Builder()
                .addHeader("Content-Type", MediaTypes.OCI_MANIFEST).body(new Buffer().write(manifest)).build());
        // The upstream says nothing of the layer's size but in the manifest: no HEAD, no Content-Length.
        EndlessBody endless = new EndlessBody(layer, false);
        answers.put("GET " + blobPath(layer), endless::response);
        assertEquals(200, berth.client().get("/v2/busybox/manifests/latest").statusCode());

        assertCutOffAndNotStored(layer, endless, berth.client().stream("/v2/busybox/blobs/" + Digest.sha256(layer)));
    }

    /**
     * The client got an error, never a whole blob; the upstream's body was cut off soon after the blob's size;
     * nothing of it is stored, so asked again berth asks the upstream again.
     */
    private void assertCutOffAndNotStored(byte[] blob, EndlessBody endless, HttpResponse<InputStream> r)
            throws Exception {
        MirrorTestBase.Received received = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> MirrorTestBase.readUntilEndOrFailure(r.body()));
        assertTrue(r.statusCode() == 503 || (r.statusCode() == 200 && received.failure() != null
                && received.bytes().length < blob.length), () -> r.statusCode() + ", " + received);
        long sent = endless.stopped.get(30, TimeUnit.SECONDS);
        assertTrue(sent < EndlessBody.LIMIT / 10, () -> "berth read on to " + sent + " bytes");
        Digest digest = Digest.sha256(blob);
        try (Stream<Path> files = Files.walk(root)) {
            assertFalse(files.anyMatch(p -> p.toString().contains(digest.hex())), "nothing of the blob is stored");
        }
        int gets = upstream.getRequestCount();
        assertNotEquals(200, berth.client().get("/v2/busybox/blobs/" + digest).statusCode(),
                "asked again, the upstream's overlong blob is refused again");
        assertTrue(upstream.getRequestCount() > gets, "and the upstream was asked again: nothing was kept");
        assertServesOn();
    }

    /** A HEAD answer announcing {@code size} bytes. */
    private static MockResponse sized(long size) {
        return new MockResponse.Builder().setHeader("Content-Length", size).build();
    }

    private static String blobPath(byte[] blob) {
        return "/v2/" + REPO + "/blobs/" + Digest.sha256(blob);
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
     * A blob's bytes, then more and more up to {@link #LIMIT}, chunked with no length or announced whole with
     * {@code Content-Length: LIMIT}; says how much it sent when berth stopped reading (the write failed) or it
     * reached the limit.
     */
    private static final class EndlessBody implements MockResponseBody {
        static final long LIMIT = 300L * 1024 * 1024;
        private static final int CHUNK = 64 * 1024;

        final CompletableFuture<Long> stopped = new CompletableFuture<>();
        private final byte[] start;
        private final boolean announced;

        EndlessBody(byte[] start, boolean announced) {
            this.start = start;
            this.announced = announced;
        }

        MockResponse response() {
            MockResponse.Builder response = new MockResponse.Builder().body(this);
            return (announced ? response : response.removeHeader("Content-Length")
                    .addHeader("Transfer-Encoding", "chunked")).build();
        }

        @Override
        public long getContentLength() {
            return announced ? LIMIT : -1;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            long sent = 0;
            try {
                part(sink, start, start.length);
                sent += start.length;
                byte[] more = new byte[CHUNK];
                while (sent < LIMIT) {
                    int n = (int) Math.min(CHUNK, LIMIT - sent);
                    part(sink, more, n);
                    sent += n;
                }
                if (!announced) {
                    sink.writeUtf8("0\r\n\r\n").flush();
                }
            } finally {
                stopped.complete(sent);
            }
        }

        private void part(BufferedSink sink, byte[] bytes, int count) throws IOException {
            if (announced) {
                sink.write(bytes, 0, count).flush();
            } else {
                sink.writeUtf8(Integer.toHexString(count) + "\r\n").write(bytes, 0, count).writeUtf8("\r\n").flush();
            }
        }
    }
}
