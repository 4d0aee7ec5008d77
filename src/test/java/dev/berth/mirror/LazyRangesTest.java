package dev.berth.mirror;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.HeldBody;
import dev.berth.support.MockHub;
import dev.berth.support.Poll;
import dev.berth.support.Scrape;
import dev.berth.support.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.SocketEffect;
import okio.Buffer;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lazy pulls of a cold blob (eStargz, SOCI and nydus clients read the table of contents at the end first): a range
 * far beyond the download's head is fetched from the upstream as a range of its own and answered while the one
 * download is held, a range the download has reached comes from the download, and nothing the upstream sends in
 * answer to a range that is not exactly that range reaches a client. The hub is asked one full GET per blob.
 */
class LazyRangesTest extends MirrorTestBase {
    private static final int MIB = 1024 * 1024;
    /** Far enough past the few MiB within which a range waits for the download; 32 MiB where the brief says so. */
    private static final int SIZE = 8 * MIB;
    private static final long TIMEOUT_SECONDS = 8;

    @Test
    void theTailOfAColdBlobIsFetchedAsARangeAndAnsweredWhileTheDownloadIsHeld() throws Exception {
        int size = 32 * MIB;
        byte[] layer = TestData.bytes(size, 251);
        HeldBody download = busyboxWithHeldLayer(layer);
        String path = clientPath(layer);

        // The download holds after its first part: an answer now can only have come from a range fetch.
        HttpResponse<byte[]> tail = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS),
                () -> client.get(path, "Range", "bytes=-" + MIB));

        assertPartial(tail, layer, size - MIB, size - 1);
        // Asked as the client asked it: berth did not know the size yet.
        assertEquals(List.of(hubPath(layer) + " bytes=-" + MIB + " 206"), answeredRanges());
        download.release();
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer), "one full GET of the blob");
        assertBlob(client.get(path), layer);
        // Cached now: the same range from the cache, the hub not asked again.
        assertPartial(client.get(path, "Range", "bytes=-" + MIB), layer, size - MIB, size - 1);
        assertEquals(1, answeredRanges().size());
        Scrape metrics = Scrape.of(client);
        assertEquals(1, ranges(metrics, "upstream"));
        assertEquals(1, ranges(metrics, "cache"));
        assertEquals(0, ranges(metrics, "fill"));
    }

    @ParameterizedTest(name = "manifest first: {0}")
    @ValueSource(booleans = {true, false})
    void theTailIsFetchedWithoutWaitingForTheDownloadsAnswer(boolean manifestFirst) throws Exception {
        byte[] layer = TestData.bytes(SIZE, 260);
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), layer);
        CountDownLatch answer = new CountDownLatch(1);
        // The download's GET gets no answer at all until the test lets it, not even its headers; the range GET may
        // reach the hub before it.
        hub.overrideWhole("GET", hubPath(layer), () -> {
            try {
                answer.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new MockResponse.Builder().setHeader("Content-Type", "application/octet-stream")
                    .body(new Buffer().write(layer)).build();
        });
        if (manifestFirst) {
            // As a lazy puller does: the manifest first, whose descriptor tells berth the layer's size.
            assertEquals(200, client.get("/v2/busybox/manifests/latest").statusCode());
        }

        try {
            HttpResponse<byte[]> tail = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS),
                    () -> client.get(clientPath(layer), "Range", "bytes=-" + MIB));
            assertPartial(tail, layer, SIZE - MIB, SIZE - 1);
            assertEquals(1, answer.getCount(), "answered while the download's GET had no answer");
        } finally {
            answer.countDown();
        }
        // Without the size, the range as the client asked it, whose answer tells the size.
        String asked = manifestFirst ? "bytes=" + (SIZE - MIB) + "-" + (SIZE - 1) : "bytes=-" + MIB;
        assertEquals(List.of(hubPath(layer) + " " + asked + " 206"), answeredRanges());
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer));
        assertBlob(client.get(clientPath(layer)), layer);
    }

    @Test
    void aDownloadOpenedOnlyWhenReadStillAnswersItsFailureAsAnError() {
        byte[] layer = TestData.bytes(100_000, 262);
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), layer);
        hub.override("GET", hubPath(layer), MockHub.status(503));
        // The manifest announces the size, so the download is opened only when the body is sent.
        assertEquals(200, client.get("/v2/busybox/manifests/latest").statusCode());

        HttpResponse<byte[]> whole = client.get(clientPath(layer));
        assertError(whole, 503, "UNAVAILABLE");
        HttpResponse<byte[]> range = client.get(clientPath(layer), "Range", "bytes=10-19");
        assertPartial(range, layer, 10, 19);
    }

    @Test
    void aRangeTheDownloadHasReachedOrNearlySoComesFromTheDownload() throws Exception {
        byte[] layer = TestData.bytes(8 * MIB, 252);
        HeldBody download = busyboxWithHeldLayer(layer);
        String path = clientPath(layer);

        HttpResponse<byte[]> head = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS),
                () -> client.get(path, "Range", "bytes=1000-1999"));
        assertPartial(head, layer, 1000, 1999);
        // Within a few MiB of the head: worth waiting for rather than a request of its own.
        CompletableFuture<HttpResponse<byte[]>> near = CompletableFuture.supplyAsync(
                () -> client.get(path, "Range", "bytes=" + 2 * MIB + "-" + (3 * MIB - 1)));
        download.release();
        assertPartial(near.get(), layer, 2 * MIB, 3 * MIB - 1);

        awaitFillsStored(client);
        assertEquals(List.of(), answeredRanges(), "no range asked of the hub");
        assertEquals(1, fullGets(layer));
        assertEquals(2, ranges(Scrape.of(client), "fill"));
    }

    /** Answers to the range of the last MiB that are not exactly it; none of their bytes may reach a client. */
    enum Misfit {
        /** Another range, of the right length. */
        ANOTHER_RANGE,
        /** The range asked, of a blob of another size. */
        ANOTHER_SIZE,
        /** The right Content-Range over more bytes than it names. */
        LONGER_BODY,
        /** The right Content-Range over compressed bytes. */
        ENCODED;

        MockResponse answer(byte[] layer) {
            byte[] tail = Arrays.copyOfRange(layer, SIZE - MIB, SIZE);
            return switch (this) {
                case ANOTHER_RANGE -> MockHub.rangeAnswer(Arrays.copyOf(layer, MIB), 0, MIB - 1, SIZE).build();
                case ANOTHER_SIZE -> MockHub.rangeAnswer(tail, SIZE - MIB, SIZE - 1, SIZE + 1).build();
                case LONGER_BODY -> MockHub.rangeAnswer(Arrays.copyOfRange(layer, SIZE - MIB - 10, SIZE), SIZE - MIB,
                        SIZE - 1, SIZE).build();
                case ENCODED -> MockHub.rangeAnswer(tail, SIZE - MIB, SIZE - 1, SIZE)
                        .setHeader("Content-Encoding", "gzip").build();
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Misfit.class)
    void aRangeAnswerThatIsNotTheRangeAskedIsRefusedAndTheRangeFollowsTheDownload(Misfit misfit) throws Exception {
        byte[] layer = TestData.bytes(SIZE, 253);
        HeldBody download = busyboxWithHeldLayer(layer);
        hub.override("GET", hubPath(layer), () -> misfit.answer(layer));
        String path = clientPath(layer);

        CompletableFuture<HttpResponse<byte[]>> tail = CompletableFuture.supplyAsync(
                () -> client.get(path, "Range", "bytes=-" + MIB));
        Poll.until(() -> answeredRanges().size() == 1, "the range asked of the hub");
        assertFalse(tail.isDone(), "no answer while the download is held");
        download.release();

        assertPartial(tail.get(), layer, SIZE - MIB, SIZE - 1);
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer));
        Scrape metrics = Scrape.of(client);
        assertEquals(1, metrics.value("berth_upstream_ranges_refused_total", Map.of("registry", "docker.io")));
        assertEquals(1, ranges(metrics, "fill"));
        assertEquals(0, ranges(metrics, "upstream"));
    }

    @ParameterizedTest(name = "manifest first: {0}")
    @ValueSource(booleans = {true, false})
    void aCrowdAskingTheSameTailOfAColdBlobGetsItFromOneRangeRequest(boolean manifestFirst) throws Exception {
        byte[] layer = TestData.bytes(SIZE, 263);
        HeldBody download = busyboxWithHeldLayer(layer);
        // The range's answer holds after its first bytes until the whole crowd has come.
        HeldBody range = HeldBody.thenRest(Arrays.copyOfRange(layer, SIZE - MIB, SIZE), 64 * 1024);
        hub.override("GET", hubPath(layer), () -> MockHub.rangeAnswer(new byte[0], SIZE - MIB, SIZE - 1, SIZE)
                .body(range).build());
        String path = clientPath(layer);
        if (manifestFirst) {
            assertEquals(200, client.get("/v2/busybox/manifests/latest").statusCode());
        }
        // Lazy pullers starting one image all ask its table of contents at once: more of them than the range
        // requests an upstream is asked at most at once, while the download holds.
        int crowd = 24;
        List<HttpResponse<byte[]>> tails = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> {
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<byte[]>>> asked = new ArrayList<>();
                for (int i = 0; i < crowd; i++) {
                    asked.add(clients.submit(() -> client.get(path, "Range", "bytes=-" + MIB)));
                }
                Poll.until(() -> Scrape.of(client).value("berth_connections_open", Map.of()) >= crowd,
                        "the whole crowd connected");
                range.release();
                List<HttpResponse<byte[]>> answered = new ArrayList<>();
                for (Future<HttpResponse<byte[]>> a : asked) {
                    answered.add(a.get());
                }
                return answered;
            }
        });
        for (HttpResponse<byte[]> tail : tails) {
            assertPartial(tail, layer, SIZE - MIB, SIZE - 1);
        }
        // One more, after the crowd: the range is kept for it.
        assertPartial(assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS),
                () -> client.get(path, "Range", "bytes=-" + MIB)), layer, SIZE - MIB, SIZE - 1);

        String asked = manifestFirst ? "bytes=" + (SIZE - MIB) + "-" + (SIZE - 1) : "bytes=-" + MIB;
        assertEquals(List.of(hubPath(layer) + " " + asked + " 206"), answeredRanges());
        download.release();
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer));
        assertEquals(crowd + 1, ranges(Scrape.of(client), "upstream"));
    }

    @Test
    void theRangesOfABlobWhoseDownloadFailedAreNotKeptForOtherClients() throws Exception {
        byte[] layer = TestData.bytes(SIZE, 264);
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), layer);
        byte[] corrupt = layer.clone();
        corrupt[10] ^= 1;
        hub.overrideWhole("GET", hubPath(layer), () -> new MockResponse.Builder()
                .setHeader("Content-Type", "application/octet-stream").body(new Buffer().write(corrupt)).build());
        String path = clientPath(layer);

        assertPartial(client.get(path, "Range", "bytes=-" + MIB), layer, SIZE - MIB, SIZE - 1);
        // The download the range started fails its digest: the upstream sent something other than the blob.
        awaitFillsStored(client);
        assertPartial(client.get(path, "Range", "bytes=-" + MIB), layer, SIZE - MIB, SIZE - 1);

        assertEquals(2, answeredRanges().size(), "the second client's range asked again, not served from memory");
        awaitFillsStored(client);
        assertBlob(client.get(path), layer);
    }

    @Test
    void aRangeAnswerThatEndsShortEndsTheClientsResponseShort() throws Exception {
        byte[] layer = TestData.bytes(SIZE, 255);
        HeldBody download = busyboxWithHeldLayer(layer);
        byte[] tailBytes = Arrays.copyOfRange(layer, SIZE - MIB, SIZE);
        // A second client after the first: a broken answer is not kept for it, the range is asked again.
        for (int asking = 1; asking <= 2; asking++) {
            // The right Content-Range, and the connection closed halfway through the bytes.
            hub.override("GET", hubPath(layer), () -> MockHub.rangeAnswer(tailBytes, SIZE - MIB, SIZE - 1, SIZE)
                    .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());
            HttpResponse<InputStream> tail = client.stream(clientPath(layer), "Range", "bytes=-" + MIB);
            Received received = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS),
                    () -> readUntilEndOrFailure(tail.body()));

            assertNotNull(received.failure(), () -> "a short body is no clean end: " + received);
            assertTrue(received.bytes().length < MIB, () -> received.toString());
            assertArrayEquals(Arrays.copyOf(tailBytes, received.bytes().length), received.bytes(),
                    "what arrived is the range's start");
            assertEquals(asking, answeredRanges().size());
        }
        download.release();
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer));
    }

    @Test
    void aRangeAnswerThatBreaksBeforeItsFirstByteLeavesTheRangeToTheDownload() throws Exception {
        byte[] layer = TestData.bytes(SIZE, 261);
        HeldBody download = busyboxWithHeldLayer(layer);
        // The right status, Content-Range and Content-Length, then the connection goes before a byte of the body.
        hub.override("GET", hubPath(layer), () -> MockHub.rangeAnswer(new byte[0], SIZE - MIB, SIZE - 1, SIZE)
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return MIB;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        sink.close();
                    }
                }).build());
        String path = clientPath(layer);

        CompletableFuture<HttpResponse<byte[]>> tail = CompletableFuture.supplyAsync(
                () -> client.get(path, "Range", "bytes=-" + MIB));
        Poll.until(() -> answeredRanges().size() == 1, "the range asked of the hub");
        download.release();

        assertPartial(tail.get(), layer, SIZE - MIB, SIZE - 1);
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer));
        assertEquals(1, ranges(Scrape.of(client), "fill"));
    }

    @Test
    void anUpstreamThatIgnoresRangesIsNotReadForOneAndNotAskedAgain() throws Exception {
        byte[] layer = TestData.bytes(SIZE, 256);
        HeldBody download = busyboxWithHeldLayer(layer);
        // The whole blob in answer to the range, and held: reading it would wait as long as the test holds it.
        HeldBody whole = HeldBody.thenRest(layer, FIRST_PART);
        hub.override("GET", hubPath(layer), whole.response());
        String path = clientPath(layer);
        try {
            CompletableFuture<HttpResponse<byte[]>> tail = CompletableFuture.supplyAsync(
                    () -> client.get(path, "Range", "bytes=-" + MIB));
            Poll.until(() -> answeredRanges().size() == 1, "the range asked of the hub");
            assertEquals(hubPath(layer) + " bytes=-" + MIB + " 200", answeredRanges().get(0));
            download.release();

            HttpResponse<byte[]> answered = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS),
                    () -> tail.get());
            assertPartial(answered, layer, SIZE - MIB, SIZE - 1);
            awaitFillsStored(client);

            // Another cold blob: not asked as a range, since this upstream ignores them.
            byte[] other = TestData.bytes(8 * MIB, 257);
            hub.blob(BUSYBOX, other);
            assertPartial(client.get(clientPath(other), "Range", "bytes=-" + MIB), other, 7 * MIB, 8 * MIB - 1);
            assertEquals(1, answeredRanges().size());
        } finally {
            whole.release();
        }
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer), "one full GET");
    }

    @Test
    void severalRangesOfAColdBlobComeAsMultipartByteranges() throws Exception {
        byte[] layer = TestData.bytes(SIZE, 258);
        HeldBody download = busyboxWithHeldLayer(layer);

        HttpResponse<byte[]> r = assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS),
                () -> client.get(clientPath(layer), "Range", "bytes=-100, 0-99"));
        download.release();

        assertEquals(206, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        String contentType = header(r, "Content-Type");
        assertTrue(contentType.startsWith("multipart/byteranges; boundary="), contentType);
        String boundary = contentType.substring(contentType.indexOf('=') + 1);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        // In the blob's order, whatever the header's: RFC 9110 lets a server sort them.
        part(expected, boundary, "bytes 0-99/" + SIZE, Arrays.copyOfRange(layer, 0, 100));
        part(expected, boundary, "bytes " + (SIZE - 100) + "-" + (SIZE - 1) + "/" + SIZE,
                Arrays.copyOfRange(layer, SIZE - 100, SIZE));
        expected.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(expected.toByteArray(), r.body());
        assertEquals(String.valueOf(expected.size()), header(r, "Content-Length"));
        assertEquals(List.of(hubPath(layer) + " bytes=" + (SIZE - 100) + "-" + (SIZE - 1) + " 206"), answeredRanges(),
                "only the part far beyond the download asked of the hub");
        awaitFillsStored(client);
        assertEquals(1, fullGets(layer));
    }

    @Test
    void aRangeBeyondAColdBlobIs416WithItsSize() {
        byte[] layer = TestData.bytes(100_000, 259);
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), layer);

        for (String range : List.of("bytes=100000-", "bytes=-0", "bytes=500-400", "bytes=200000-300000,-0")) {
            HttpResponse<byte[]> r = client.get(clientPath(layer), "Range", range);
            assertError(r, 416, "RANGE_INVALID");
            assertEquals("bytes */100000", header(r, "Content-Range"), range);
        }
        // Not a range we serve: the whole blob, as RFC 9110 allows.
        for (String range : List.of("bytes=a-b", "items=0-9", "bytes=0-9;x")) {
            assertBlob(client.get(clientPath(layer), "Range", range), layer);
        }
        assertEquals(List.of(), answeredRanges());
    }

    private static void part(ByteArrayOutputStream out, String boundary, String contentRange, byte[] bytes) {
        out.writeBytes(("\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: "
                + contentRange + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
    }

    private static void assertPartial(HttpResponse<byte[]> r, byte[] blob, int start, int end) {
        assertEquals(206, r.statusCode(), () -> "body: " + new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("bytes " + start + "-" + end + "/" + blob.length, header(r, "Content-Range"));
        assertEquals(String.valueOf(end - start + 1), header(r, "Content-Length"));
        assertArrayEquals(Arrays.copyOfRange(blob, start, end + 1), r.body(), "the range's bytes");
    }

    private static String clientPath(byte[] layer) {
        return MockHub.blobPath("busybox", layer);
    }

    private static String hubPath(byte[] layer) {
        return MockHub.blobPath(BUSYBOX, layer);
    }

    /** GETs of the blob the hub answered whole, but for a range: the upstream that ignores ranges answers them so. */
    private long fullGets(byte[] layer) {
        long whole = hub.log().stream().filter(line -> line.equals("GET " + hubPath(layer) + " 200")).count();
        long rangesAnsweredWhole = answeredRanges().stream()
                .filter(line -> line.startsWith(hubPath(layer) + " ") && line.endsWith(" 200")).count();
        return whole - rangesAnsweredWhole;
    }

    /** The hub's range requests but for its challenges (401) to a range GET that went before the token did. */
    private List<String> answeredRanges() {
        return hub.ranges().stream().filter(r -> !r.endsWith(" 401")).toList();
    }

    private static double ranges(Scrape metrics, String source) {
        return metrics.value("berth_blob_ranges_total", Map.of("registry", "docker.io", "source", source));
    }
}
