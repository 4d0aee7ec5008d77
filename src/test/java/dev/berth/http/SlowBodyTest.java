package dev.berth.http;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Htpasswd;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review's slow-body flood, scaled down: every request place a few loopback addresses can get is taken by a body
 * sent one byte at a time, at {@code /auth/token}, at monolithic uploads and at upload chunks. Each body is cut within
 * the configured bound; meanwhile another user's pulls are served, and a push slower than the flood's wait but above
 * the minimum rate goes through.
 */
class SlowBodyTest {
    private static final String[] FLOOD_ADDRESSES = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};
    /** With 4 addresses, every place of max-requests. */
    private static final int SLOTS_PER_ADDRESS = 16;
    private static final String CONFIG = """
            limits: {max-requests: 64, max-requests-per-client: 16, body-timeout: 2s, body-min-rate: 1KiB}
            auth: {htpasswd: '%s'}
            private: {repositories: ['team/*']}
            """;
    private static final Duration FLOOD = Duration.ofSeconds(6);
    private static final int CLOSED = 0;
    private static final int FLOOD_OVER = -1;
    private static final Duration BYTE_EVERY = Duration.ofMillis(200);
    /** body-timeout, the sweeper's tick and room for a loaded machine; the rate adds 10 ms for 10 bytes. */
    private static final Duration CUT_BOUND = Duration.ofSeconds(4);

    @TempDir
    Path dir;
    private RunningBerth berth;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void startBerth() {
        berth = RunningBerth.start(dir.resolve("data"), CONFIG.formatted(Htpasswd.aliceAndBob(dir.resolve("htpasswd"))));
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        berth.close();
    }

    @Test
    void slowBodiesAreCutWhileOthersPullAndPush() throws Exception {
        TestClient alice = berth.clientFrom("127.0.0.9").withBasic("alice", ALICE_PASSWORD);
        byte[] layer = TestData.bytes(200_000, 1);
        String blob = "/v2/team/app/blobs/" + alice.pushBlob("team/app", layer);
        List<String> sessions = new ArrayList<>();
        for (String address : FLOOD_ADDRESSES) {
            for (int slot = 0; slot < SLOTS_PER_ADDRESS; slot++) {
                HttpResponse<byte[]> started = berth.clientFrom(address).withBasic("bob", BOB_PASSWORD)
                        .send("POST", "/v2/team/flood/blobs/uploads/", null);
                assertEquals(202, started.statusCode());
                sessions.add(header(started, "Location"));
            }
        }

        long stopAt = System.nanoTime() + FLOOD.toNanos();
        ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
        List<Future<?>> flood = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            String address = FLOOD_ADDRESSES[i / SLOTS_PER_ADDRESS];
            byte[] head = switch (i % 3) {
                case 0 -> head("POST", "/auth/token", 4000, "Content-Type: application/x-www-form-urlencoded");
                case 1 -> head("POST", "/v2/team/flood/blobs/uploads/?digest=" + TestData.digest(new byte[16000]),
                        16000, basic("bob", BOB_PASSWORD));
                default -> head("PATCH", sessions.get(i), 16000, basic("bob", BOB_PASSWORD));
            };
            flood.add(threads.submit(() -> slowClient(address, head, stopAt, attempts)));
        }

        // Meanwhile: alice pulls, and pushes (from another host) a chunk at 2 KiB a second, slower than the flood's cut
        // but above the rate.
        Future<Integer> slowPush = threads.submit(() -> slowButRealPatch(alice));
        int pulls = 0;
        while (System.nanoTime() < stopAt) {
            HttpResponse<byte[]> pulled = alice.get(blob);
            assertEquals(200, pulled.statusCode(), () -> "a pull during the flood: " + new String(pulled.body(),
                    StandardCharsets.UTF_8));
            assertArrayEquals(layer, pulled.body());
            pulls++;
        }
        for (Future<?> client : flood) {
            client.get();
        }
        assertEquals(202, slowPush.get(), "the slow but steady chunk was taken");
        assertTrue(pulls > 10, "pulls during the flood: " + pulls);

        List<Attempt> cut = attempts.stream().filter(a -> a.status() != 429).toList();
        assertTrue(cut.size() >= sessions.size(), "the flood held places: " + attempts);
        for (Attempt attempt : cut) {
            // Cut in a blocked read over HTTP/1.1, the connection closes; cut as a read returns, 408.
            assertTrue(attempt.status() == CLOSED || attempt.status() == 408, "a slow body is cut: " + attempt);
            assertTrue(attempt.elapsed().compareTo(Duration.ofMillis(1900)) >= 0
                    && attempt.elapsed().compareTo(CUT_BOUND) <= 0, "cut within the bound: " + attempt);
        }
        // The flood is over: berth takes a normal push at once.
        byte[] after = TestData.bytes(1 << 20, 2);
        String digest = berth.clientFrom("127.0.0.2").withBasic("bob", BOB_PASSWORD)
                .pushBlob("team/app", new java.io.ByteArrayInputStream(after));
        assertArrayEquals(after, alice.get("/v2/team/app/blobs/" + digest).body());
    }

    /**
     * The same flood the other way round: one address takes all its request places with downloads of a large blob
     * and reads nothing of them. Each write that waits for it is cut within the body timeout, so its places come back
     * and its next request is answered, rather than 429 for as long as it holds the sockets open.
     */
    @Test
    void downloadsNobodyReadsAreCutAndTheirPlacesFreed() throws Exception {
        TestClient alice = berth.clientFrom("127.0.0.9").withBasic("alice", ALICE_PASSWORD);
        String blob = "/v2/team/app/blobs/" + alice.pushBlob("team/app", TestData.bytes(16 << 20, 3));
        byte[] get = ("GET " + blob + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + basic("alice", ALICE_PASSWORD)
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < SLOTS_PER_ADDRESS; i++) {
                Socket socket = new Socket();
                // A small window, full at once: berth's writes wait on it from the first.
                socket.setReceiveBufferSize(4096);
                socket.bind(new InetSocketAddress("127.0.0.2", 0));
                socket.connect(new InetSocketAddress("127.0.0.1", berth.port()), 5000);
                socket.getOutputStream().write(get);
                stalled.add(socket);
            }
            TestClient sameHost = berth.clientFrom("127.0.0.2").withBasic("alice", ALICE_PASSWORD);
            long start = System.nanoTime();
            Poll.until(() -> sameHost.get("/v2/").statusCode() == 200, "the stalled downloads' places come back",
                    Duration.ofSeconds(20));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "freed after " + took);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /** A download read slowly but steadily, longer in all than the body timeout, is not cut. */
    @Test
    void aDownloadReadSlowlyButSteadilyIsWhole() throws Exception {
        TestClient alice = berth.clientFrom("127.0.0.9").withBasic("alice", ALICE_PASSWORD);
        byte[] layer = TestData.bytes(512 * 1024, 4);
        String blob = "/v2/team/app/blobs/" + alice.pushBlob("team/app", layer);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(32 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", berth.port()), 5000);
            socket.getOutputStream().write(("GET " + blob + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + basic("alice", ALICE_PASSWORD) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            byte[] piece = new byte[32 * 1024];
            long start = System.nanoTime();
            int n;
            while ((n = in.read(piece)) > 0) {
                // 32 KiB every 300 ms: about 100 KiB a second, so the download takes about 5 s.
                if ((received.size() + n) / (32 * 1024) > received.size() / (32 * 1024)) {
                    Thread.sleep(300);
                }
                received.write(piece, 0, n);
                String text = received.toString(StandardCharsets.ISO_8859_1);
                int head = text.indexOf("\r\n\r\n");
                if (head >= 0 && received.size() - head - 4 >= layer.length) {
                    break;
                }
            }
            byte[] all = received.toByteArray();
            byte[] body = java.util.Arrays.copyOfRange(all, all.length - layer.length, all.length);
            long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals("HTTP/1.1 200", new String(all, 0, 12, StandardCharsets.US_ASCII));
            assertArrayEquals(layer, body, "every byte, in " + took + " ms");
            assertTrue(took > 2 * 2000, "longer than the body timeout: " + took + " ms");
        }
    }

    /** A PATCH of 8 KiB in 512-byte pieces every 250 ms: 4 s long, at 2 KiB a second. */
    private int slowButRealPatch(TestClient alice) throws IOException, InterruptedException {
        HttpResponse<byte[]> started = alice.send("POST", "/v2/team/app/blobs/uploads/", null);
        assertEquals(202, started.statusCode());
        try (Socket socket = connect("127.0.0.10")) {
            OutputStream out = socket.getOutputStream();
            out.write(head("PATCH", header(started, "Location"), 8192, basic("alice", ALICE_PASSWORD)));
            for (int i = 0; i < 16; i++) {
                Thread.sleep(250);
                out.write(TestData.bytes(512, i));
                out.flush();
            }
            return status(statusLine(socket.getInputStream()));
        }
    }

    /**
     * Until {@code stopAt}: sends {@code head}, then a body byte every {@link #BYTE_EVERY} until berth answers or
     * closes, and again; records each attempt.
     */
    private void slowClient(String address, byte[] head, long stopAt, ConcurrentLinkedQueue<Attempt> attempts) {
        while (System.nanoTime() < stopAt) {
            long start = System.nanoTime();
            int status;
            try (Socket socket = connect(address)) {
                socket.setSoTimeout((int) BYTE_EVERY.toMillis());
                socket.getOutputStream().write(head);
                status = trickle(socket, stopAt);
            } catch (IOException e) {
                status = CLOSED;
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (status != FLOOD_OVER) {
                attempts.add(new Attempt(address, new String(head, 0, 30, StandardCharsets.US_ASCII), status,
                        elapsed));
            }
            if (status == 429) {
                // Not at once again: the test's own loop would only burn the machine's two cores.
                sleep(BYTE_EVERY);
            }
        }
    }

    /** The status berth answered the trickle with, {@link #CLOSED}, or {@link #FLOOD_OVER} when it never did. */
    private static int trickle(Socket socket, long stopAt) throws IOException {
        InputStream in = socket.getInputStream();
        while (System.nanoTime() < stopAt) {
            try {
                return status(statusLine(in));
            } catch (SocketTimeoutException e) {
                socket.getOutputStream().write('a');
            }
        }
        return FLOOD_OVER;
    }

    private static int status(String statusLine) {
        return statusLine.isEmpty() ? CLOSED : Integer.parseInt(statusLine.split(" ")[1]);
    }

    /** The response's status line, or "" when the connection closed first. */
    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString().trim();
    }

    private Socket connect(String address) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(address, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", berth.port()), 5000);
        return socket;
    }

    private static byte[] head(String method, String path, int length, String header) {
        return (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n" + header
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One slow request: its status, {@link #CLOSED} when berth closed the connection without one. */
    private record Attempt(String address, String request, int status, Duration elapsed) {
    }
}
