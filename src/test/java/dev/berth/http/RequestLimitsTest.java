package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caps on requests in progress: a client past its own cap, or everyone past the total, is answered 429 at once
 * while the others are served, and permits come back when requests end, however they end. Requests are held open by
 * blob downloads whose bodies the test does not read; the clients are told apart by their loopback addresses.
 */
class RequestLimitsTest {
    /** Far more than a socket's buffers on both ends take in, so berth is still writing while the test holds. */
    private static final int BLOB_SIZE = 16 * 1024 * 1024;
    private static final String GREEDY = "127.0.0.2";
    private static final String OTHER = "127.0.0.3";
    private static final String THIRD = "127.0.0.4";

    @TempDir
    Path root;
    private RunningBerth berth;
    private String blob;
    private final List<Socket> held = new ArrayList<>();
    private final Map<String, TestClient> clients = new HashMap<>();

    @BeforeEach
    void startBerth() {
        berth = RunningBerth.start(root, "limits: {max-requests: 4, max-requests-per-client: 2}\n");
        blob = "/v2/team/big/blobs/" + berth.client().pushBlob("team/big", TestData.stream(BLOB_SIZE, 3));
    }

    @AfterEach
    void stopBerth() throws IOException {
        for (Socket socket : held) {
            socket.close();
        }
        berth.close();
    }

    @Test
    void aClientPastItsCapIsTold429WhileOthersAreServed() throws Exception {
        // Sequential requests, failed ones too, never add up: each gives its permit back.
        for (int i = 0; i < 5; i++) {
            assertEquals(200, from(GREEDY).get("/v2/").statusCode());
            assertError(from(GREEDY).get("/v2/team/nosuch/manifests/1"), 404, "MANIFEST_UNKNOWN");
        }
        hold(GREEDY);
        hold(GREEDY);

        HttpResponse<byte[]> refused = from(GREEDY).get("/v2/");
        assertError(refused, 429, "TOOMANYREQUESTS");
        assertEquals("1", header(refused, "Retry-After"));
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("from " + GREEDY), "names the cap");
        assertEquals(200, from(OTHER).get("/v2/").statusCode(), "other clients are still served");
        assertEquals(BLOB_SIZE, from(OTHER).get(blob).body().length);

        // The held clients go away halfway through their bodies: their permits come back.
        releaseAll();
        awaitServed(GREEDY);
    }

    @Test
    void everyonePastTheTotalCapIsTold429() throws Exception {
        hold(GREEDY);
        hold(GREEDY);
        hold(OTHER);
        hold(OTHER);

        HttpResponse<byte[]> refused = from(THIRD).get("/v2/");
        assertError(refused, 429, "TOOMANYREQUESTS");
        assertEquals("1", header(refused, "Retry-After"));
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("more than 4 requests"));

        held.removeFirst().close();
        awaitServed(THIRD);
    }

    /** Starts a blob download from {@code address} and returns once berth is sending the body, which stays unread. */
    private void hold(String address) throws IOException {
        Socket socket = new Socket();
        held.add(socket);
        // Small, and so fixed: the kernel would otherwise grow it to take in megabytes of the body.
        socket.setReceiveBufferSize(64 * 1024);
        socket.bind(new InetSocketAddress(address, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", berth.port()), 5000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET " + blob + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String head = readHead(socket.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private void releaseAll() throws IOException {
        for (Socket socket : held) {
            socket.close();
        }
        held.clear();
    }

    /** Asks until {@code address} is served again, which must happen within seconds of the permits coming back. */
    private void awaitServed(String address) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        int status;
        while ((status = from(address).get("/v2/").statusCode()) == 429 && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertEquals(200, status, address + " is still refused");
    }

    /** A client whose requests come from {@code address}. */
    private TestClient from(String address) {
        return clients.computeIfAbsent(address, berth::clientFrom);
    }
}
