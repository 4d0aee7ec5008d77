package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.Scrape;
import dev.berth.support.TestCertificates;
import dev.berth.support.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds on connections, seen from raw sockets: one that sends no complete request head in time, or sits idle
 * after an answer, is closed by berth (the socket reads end of stream); past a cap a new one is closed at once; a
 * request whose body keeps coming is not cut however long it takes.
 */
class ConnectionLimitsTest {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");
    private static final Pattern LOCATION = Pattern.compile("(?i)location: *(\\S+)");
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3})");

    @TempDir
    Path root;
    private RunningBerth berth;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeadTimeout() throws IOException {
        berth = RunningBerth.start(root, "limits: {request-head-timeout: 1s}\n");
        Socket socket = connect("127.0.0.1");
        long start = System.nanoTime();

        assertEquals(-1, readUntilClosed(socket, Duration.ofSeconds(15)), "berth closes the connection");
        assertClosedAfter(start, Duration.ofMillis(900));
    }

    @Test
    void aHeadSentByteByByteIsCutAtTheBoundThoughBytesKeepComing() throws IOException {
        berth = RunningBerth.start(root, "limits: {request-head-timeout: 1s}\n");
        Socket socket = connect("127.0.0.1");
        socket.setSoTimeout(100);
        byte[] head = "GET /v2/ HTTP/1.1\r\nHost: berth\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        boolean closed = false;
        for (int i = 0; i < head.length && !closed; i++) {
            try {
                socket.getOutputStream().write(head[i]);
                socket.getOutputStream().flush();
                closed = socket.getInputStream().read() == -1;
            } catch (SocketTimeoutException e) {
                // Nothing yet: the next byte.
            } catch (SocketException e) {
                closed = true;
            }
        }
        assertTrue(closed, "berth closed the connection before the head was complete");
        assertClosedAfter(start, Duration.ofMillis(900));
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        berth = RunningBerth.start(root, "limits: {request-head-timeout: 500ms, idle-timeout: 2s}\n");
        Socket socket = connect("127.0.0.1");
        assertEquals("200", exchange(socket, "GET /v2/ HTTP/1.1\r\nHost: berth\r\n\r\n").status());
        // The same connection serves a second request: it is kept alive.
        assertEquals("200", exchange(socket, "GET /v2/ HTTP/1.1\r\nHost: berth\r\n\r\n").status());
        long answered = System.nanoTime();

        assertEquals(-1, readUntilClosed(socket, Duration.ofSeconds(15)), "berth closes the idle connection");
        // The idle bound, not the head bound.
        assertClosedAfter(answered, Duration.ofMillis(1900));
    }

    @Test
    void aRequestAskingToCloseGetsItsWholeAnswerThenTheEndOfTheStream() throws IOException {
        // The idle timeout (60 s by default) is far beyond the wait for the end below.
        berth = RunningBerth.start(root, "");
        byte[] blob = TestData.bytes(3 * 1024 * 1024, 7);
        String digest = berth.client().pushBlob("team/close", blob);
        Map<String, String> asked = Map.of("/v2/", "200", "/v2/team/close/blobs/" + digest, "200",
                "/v2/team/close/blobs/sha256:" + "0".repeat(64), "404");
        for (Map.Entry<String, String> ask : asked.entrySet()) {
            Socket socket = connect("127.0.0.1");
            socket.getOutputStream().write(("GET " + ask.getKey() + " HTTP/1.1\r\nHost: berth\r\nConnection: close"
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Reply reply = readHead(socket);
            assertEquals(ask.getValue(), reply.status(), reply.head());
            Matcher length = CONTENT_LENGTH.matcher(reply.head());
            assertTrue(length.find(), reply.head());
            byte[] body = socket.getInputStream().readNBytes(Integer.parseInt(length.group(1)));
            if (ask.getKey().contains(digest)) {
                assertArrayEquals(blob, body, "the whole blob before the end");
            }
            assertEquals(-1, readUntilClosed(socket, Duration.ofSeconds(10)), ask.getKey() + ": the end of the stream"
                    + " follows the answer");
        }
    }

    @Test
    void aSlowButSteadyUploadOutlastsEveryBound() throws IOException, InterruptedException {
        berth = RunningBerth.start(root, "limits: {request-head-timeout: 500ms, idle-timeout: 500ms}\n");
        Socket socket = connect("127.0.0.1");
        Reply started = exchange(socket, "POST /v2/team/slow/blobs/uploads/ HTTP/1.1\r\nHost: berth\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertEquals("202", started.status());
        Matcher location = LOCATION.matcher(started.head());
        assertTrue(location.find(), started.head());

        // 40 chunks 50 ms apart: 2 s of body, four times each bound.
        int chunks = 40;
        OutputStream out = socket.getOutputStream();
        out.write(("PATCH " + location.group(1) + " HTTP/1.1\r\nHost: berth\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Length: " + chunks * 1024 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < chunks; i++) {
            out.write(new byte[1024]);
            out.flush();
            Thread.sleep(50);
        }
        Reply patched = read(socket);
        assertEquals("202", patched.status(), patched.head());
        assertTrue(patched.head().toLowerCase().contains("range: 0-" + (chunks * 1024 - 1)), patched.head());
    }

    @Test
    void aSlowButSteadyDownloadOutlastsEveryBound() throws IOException, InterruptedException {
        berth = RunningBerth.start(root, "limits: {request-head-timeout: 500ms, idle-timeout: 500ms}\n");
        // Far more than the sockets' buffers on both ends hold: berth is still writing while the test reads.
        byte[] blob = TestData.bytes(16 * 1024 * 1024, 5);
        String digest = berth.client().pushBlob("team/slow", blob);
        Socket socket = connect("127.0.0.1");
        socket.getOutputStream().write(("GET /v2/team/slow/blobs/" + digest + " HTTP/1.1\r\nHost: berth\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        // 64 pieces of 256 KiB, 40 ms apart: 2.5 s of body, five times each bound.
        Reply head = readHead(socket);
        assertEquals("200", head.status());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        while (body.size() < blob.length) {
            byte[] piece = in.readNBytes(Math.min(256 * 1024, blob.length - body.size()));
            assertTrue(piece.length > 0, "the body broke off after " + body.size() + " bytes");
            body.write(piece);
            Thread.sleep(40);
        }
        assertArrayEquals(blob, body.toByteArray());
    }

    @Test
    void overHttp2ASlowUploadOutlastsTheBoundsAndAHandshakeNeverStartedIsCut(@TempDir Path certificates)
            throws Exception {
        TestCertificates certs = TestCertificates.create(certificates, TestCertificates.KeyType.EC);
        // The head bound includes the TLS handshake, whose first one in a JVM may take a while on a busy machine.
        berth = RunningBerth.startHttps(root, certs, certs.key(),
                "limits: {request-head-timeout: 3s, idle-timeout: 1s}\n");
        assertEquals(-1, readUntilClosed(connect("127.0.0.1"), Duration.ofSeconds(15)), "no TLS handshake: closed");

        HttpClient http2 = HttpClient.newBuilder().sslContext(certs.clientContext())
                .version(HttpClient.Version.HTTP_2).build();
        URI base = URI.create("https://localhost:" + berth.port());
        HttpResponse<Void> started = http2.send(HttpRequest.newBuilder(base.resolve("/v2/team/slow/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(202, started.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, started.version());
        // 4 s of body on the same connection, four times the idle bound.
        InputStream slow = new InputStream() {
            private int sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent == 80) {
                    return -1;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
                sent++;
                int n = Math.min(len, 1024);
                java.util.Arrays.fill(b, off, off + n, (byte) 7);
                return n;
            }
        };
        HttpResponse<Void> patched = http2.send(HttpRequest.newBuilder(
                        base.resolve(started.headers().firstValue("Location").orElseThrow()))
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> slow)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(202, patched.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, patched.version());
    }

    @Test
    void pastTheCapsNewConnectionsAreClosedAtOnceAndOthersStillServed() throws IOException, InterruptedException {
        berth = RunningBerth.start(root, "limits: {max-connections: 4, max-connections-per-client: 2,"
                + " request-head-timeout: 60s}\n");
        connect("127.0.0.2");
        connect("127.0.0.2");
        // A third from the same client: closed before berth reads a byte.
        Socket third = connect("127.0.0.2");
        assertEquals(-1, readUntilClosed(third, Duration.ofSeconds(5)), "past the client's cap");
        // Another client is served beside the two.
        Socket other = connect("127.0.0.3");
        assertEquals("200", exchange(other, "GET /v2/ HTTP/1.1\r\nHost: berth\r\n\r\n").status());
        connect("127.0.0.4");
        // Four open: a fifth, from a client with none, is past the total.
        Socket fifth = connect("127.0.0.5");
        assertEquals(-1, readUntilClosed(fifth, Duration.ofSeconds(5)), "past the total cap");

        // Once clients go, their places are free again, as soon as berth has seen them go.
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
        Poll.until(() -> servedFrom("127.0.0.2"), "a new connection served after the others closed");
    }

    private boolean servedFrom(String client) {
        try {
            return exchange(connect(client), "GET /v2/ HTTP/1.1\r\nHost: berth\r\n\r\n").status().equals("200");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void theMetricsCountOpenConnections() throws IOException, InterruptedException {
        berth = RunningBerth.start(root);
        for (int i = 0; i < 3; i++) {
            connect("127.0.0.2");
        }
        // The three and the scrape's own.
        Poll.until(() -> openConnections() == 4, "four connections open");
        for (Socket socket : sockets) {
            socket.close();
        }
        Poll.until(() -> openConnections() == 1, "the three counted out once closed");
    }

    private double openConnections() {
        return Scrape.of(berth.client()).value("berth_connections_open", Map.of());
    }

    @Test
    void theDefaultCapLeavesFilesAndHeapForTheRest() {
        long heap = 128L * 1024 * 1024;
        assertEquals(256, ConnectionLimits.defaultMaxConnections(512, heap), "256 files kept for the rest");
        assertEquals(1638, ConnectionLimits.defaultMaxConnections(65_536, heap), "half the heap at 40 KiB each");
        assertEquals(49_152, ConnectionLimits.defaultMaxConnections(65_536, 64 * heap), "a quarter of the files");
        assertEquals(16, ConnectionLimits.defaultMaxConnections(100, heap), "never fewer than 16");
    }

    @Test
    void aClientIsAnIpv4AddressOrAnIpv6Slash64() {
        assertEquals("10.0.0.7", ConnectionLimits.client(new InetSocketAddress("10.0.0.7", 40000)));
        String one = ConnectionLimits.client(new InetSocketAddress("2001:db8:1:2:aaaa::1", 40000));
        assertEquals("2001:db8:1:2:0:0:0:0/64", one);
        assertEquals(one, ConnectionLimits.client(new InetSocketAddress("2001:db8:1:2:ffff:1:2:3", 50000)),
                "the same /64: one client");
        assertNotEquals(one, ConnectionLimits.client(new InetSocketAddress("2001:db8:1:3::1", 40000)),
                "another /64: another client");
    }

    /** That what began at {@code startNanos} ended no earlier than {@code bound}, and well within 8 s of it. */
    private static void assertClosedAfter(long startNanos, Duration bound) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        assertTrue(took.compareTo(bound) >= 0, "not before the bound: " + took);
        assertTrue(took.compareTo(bound.plusSeconds(8)) < 0, "soon after the bound: " + took);
    }

    private Socket connect(String from) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), berth.port()), 5000);
        return socket;
    }

    /** Reads and drops what comes until end of stream (-1) or the deadline (then 0); a reset counts as the end. */
    private static int readUntilClosed(Socket socket, Duration deadline) throws IOException {
        socket.setSoTimeout((int) deadline.toMillis());
        try {
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // Drop it.
            }
            return -1;
        } catch (SocketTimeoutException e) {
            return 0;
        } catch (SocketException e) {
            // Connection reset: closed too, though with bytes unread.
            return -1;
        }
    }

    private static Reply exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return read(socket);
    }

    /** One response: its head, and its body by Content-Length. */
    private static Reply read(Socket socket) throws IOException {
        Reply reply = readHead(socket);
        Matcher length = CONTENT_LENGTH.matcher(reply.head());
        socket.getInputStream().readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
        return reply;
    }

    /** A response's head, its body left to read. */
    private static Reply readHead(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        Matcher status = STATUS.matcher(text);
        assertTrue(status.lookingAt(), text);
        return new Reply(status.group(1), text);
    }

    private record Reply(String status, String head) {
    }
}
