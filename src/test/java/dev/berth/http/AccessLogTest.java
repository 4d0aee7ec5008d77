package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.support.LogCapture;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Filter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One access log line per request, with what was asked, how it was answered and by whom, and no header. */
class AccessLogTest {
    /** {@code CLIENT USER "METHOD TARGET PROTOCOL" STATUS BYTES DURATIONms}. */
    private static final Pattern LINE = Pattern.compile(
            "(\\S+) (\\S+) \"(\\S+) (\\S+) (HTTP/[0-9.]+)\" (\\d{3}) (\\d+) (\\d+)ms( aborted)?");

    @TempDir
    Path root;
    private LogCapture log;
    private RunningBerth berth;
    private TestClient client;

    @BeforeEach
    void startBerth() {
        berth = RunningBerth.start(root);
        // After the start: Helidon's first start reads the logging configuration, which drops handlers added before.
        log = LogCapture.of("dev.berth.access");
        client = berth.client();
    }

    @AfterEach
    void stopBerth() {
        berth.close();
        log.close();
    }

    @Test
    void logsEachRequestWithItsOutcome() {
        byte[] blob = TestData.bytes(100_000, 5);
        String digest = client.pushBlob("team/app", blob);
        client.get("/v2/team/app/blobs/" + digest);
        client.head("/v2/team/app/manifests/nosuch");

        List<Matcher> lines = awaitLines(3);
        assertLine(lines, "POST", "/v2/team/app/blobs/uploads/?digest=" + digest, 201);
        Matcher get = assertLine(lines, "GET", "/v2/team/app/blobs/" + digest, 200);
        assertTrue(Long.parseLong(get.group(7)) > blob.length, "bytes sent, headers included: " + get.group());
        assertLine(lines, "HEAD", "/v2/team/app/manifests/nosuch", 404);
    }

    @Test
    void logsADownloadTheClientLeftAsAborted() throws IOException {
        String digest = client.pushBlob("team/app", TestData.bytes(32 * 1024 * 1024, 6));
        String path = "/v2/team/app/blobs/" + digest;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), berth.port())) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Part of the body, then the client goes, as a cancelled pull does.
            socket.getInputStream().readNBytes(64 * 1024);
        }
        Matcher line = line(awaitLines(2), "GET", path);
        assertEquals("200", line.group(6), line.group());
        assertEquals(" aborted", line.group(9), line.group());
    }

    @Test
    void neverLogsHeadersNorQueriesOutsideTheApi() {
        String secret = "c2VjcmV0LXRva2VuLXZhbHVl";
        client.get("/v2/", "Authorization", "Bearer " + secret);
        client.get("/auth/token?account=alice&scope=repository:team/app:pull", "Authorization", "Basic " + secret);

        List<Matcher> lines = awaitLines(2);
        assertLine(lines, "GET", "/v2/", 200);
        line(lines, "GET", "/auth/token");
        for (String message : log.messages(Level.INFO)) {
            assertTrue(!message.contains(secret) && !message.contains("alice"), message);
        }
    }

    @Test
    void namesTheUserTheRequestWasAuthenticatedAs() {
        WebServer server = behind((chain, req, res) -> {
            RequestUser.set(req, "jörg \"admin\"");
            chain.proceed();
        });
        try {
            new TestClient(URI.create("http://127.0.0.1:" + server.port())).get("/v2/");
            Matcher line = awaitLines(1).getFirst();
            // Escaped so that no name can break the line apart or forge a field.
            assertEquals("j%C3%B6rg%20%22admin%22", line.group(2));
        } finally {
            server.stop();
        }
    }

    @Test
    void logsTheAnswerToAnErrorThatALaterFilterThrows() {
        WebServer server = behind((chain, req, res) -> {
            throw new RegistryException(OciError.UNAUTHORIZED, "who are you?");
        });
        try {
            new TestClient(URI.create("http://127.0.0.1:" + server.port())).get("/v2/");
            Matcher line = awaitLines(1).getFirst();
            assertEquals("401", line.group(6), line.group());
            assertNull(line.group(9), "answered, not aborted: " + line.group());
        } finally {
            server.stop();
        }
    }

    /**
     * A web server with the access log, then {@code inner}, a stand-in for the authentication filter (which names
     * the user in the request's context, or refuses), then {@code GET /v2/}.
     */
    private static WebServer behind(Filter inner) {
        return WebServer.builder().host("127.0.0.1").port(0)
                .routing(routing -> {
                    routing.addFilter(new AccessLog()).addFilter(inner).get("/v2/", (req, res) -> res.send("{}"));
                    routing.error(RegistryException.class, ErrorResponses::send);
                })
                .build().start();
    }

    /** The line of {@code METHOD TARGET}, checked to name the client, no user, HTTP/1.1 and {@code status}. */
    private static Matcher assertLine(List<Matcher> lines, String method, String target, int status) {
        Matcher line = line(lines, method, target);
        String text = line.group();
        assertEquals("127.0.0.1", line.group(1), text);
        assertEquals("-", line.group(2), text);
        assertEquals("HTTP/1.1", line.group(5), text);
        assertEquals(status, Integer.parseInt(line.group(6)), text);
        return line;
    }

    private static Matcher line(List<Matcher> lines, String method, String target) {
        return lines.stream().filter(m -> m.group(3).equals(method) && m.group(4).equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + method + " " + target + " in "
                        + lines.stream().map(Matcher::group).toList()));
    }

    /**
     * The first {@code count} lines, parsed; waits for them, since a line is written once the response is, which is
     * when the client may already have it.
     */
    private List<Matcher> awaitLines(int count) {
        Instant deadline = Instant.now().plusSeconds(10);
        List<String> messages = log.messages(Level.INFO);
        while (messages.size() < count && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(1_000_000);
            messages = log.messages(Level.INFO);
        }
        assertTrue(messages.size() >= count, () -> "access log lines: " + log.messages(Level.INFO));
        return messages.stream().limit(count).map(message -> {
            Matcher m = LINE.matcher(message);
            assertTrue(m.matches(), message);
            return m;
        }).toList();
    }
}
