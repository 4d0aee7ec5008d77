package dev.berth.http;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Htpasswd;
import dev.berth.support.LogCapture;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestCertificates;
import dev.berth.support.TestCertificates.KeyType;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body that stops arriving is cut within the bound: answered 408 with the error JSON and the rule it broke where
 * berth can still answer (an HTTP/2 stream), its connection closed without a logged warning over HTTP/1.1 and TLS.
 * The token form is small.
 */
class BodyTimeoutTest {
    @TempDir
    Path dir;
    private RunningBerth berth;

    @AfterEach
    void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStalledHttp2BodyIsAnswered408AndOthersGoOn() throws Exception {
        TestCertificates certs = startHttps(KeyType.EC);
        TestClient client = berth.client();
        Stall body = new Stall(TestData.bytes(100, 1));
        HttpRequest stalled = HttpRequest.newBuilder(URI.create("https://localhost:" + berth.port()
                        + "/v2/team/app/blobs/uploads/?digest=" + TestData.digest(TestData.bytes(200, 1))))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.fromPublisher(body))
                .build();
        HttpClient http = HttpClient.newBuilder().sslContext(certs.clientContext()).build();

        HttpResponse<byte[]> r;
        try (LogCapture access = LogCapture.of("dev.berth.access")) {
            long began = System.nanoTime();
            CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(stalled,
                    HttpResponse.BodyHandlers.ofByteArray());
            Poll.until(() -> access.messages().stream().anyMatch(line -> line.contains("HTTP/2.0\" 408 ")),
                    "berth answers the stalled body");
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            assertTrue(took.compareTo(Duration.ofMillis(900)) > 0 && took.compareTo(Duration.ofSeconds(5)) < 0,
                    "cut after the timeout and the sweeper's tick: " + took);
            // Java's client hands over a response only once its request is sent: end the body now.
            body.end();
            r = sent.get(10, TimeUnit.SECONDS);
        }
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertError(r, 408, "UNAVAILABLE");
        String detail = json(r).path("errors").path(0).path("detail").asText();
        assertTrue(detail.startsWith("a request body must not pause for 1 s, and must arrive at 1024 bytes a second"
                + " or more after its first 1 s; 100 bytes came in "), detail);
        // The cut left nothing behind: the same blob is pushed in full afterwards.
        byte[] blob = TestData.bytes(200, 1);
        assertEquals(TestData.digest(blob), client.pushBlob("team/app", blob));
        assertArrayEquals(blob, client.get("/v2/team/app/blobs/" + TestData.digest(blob)).body());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStalledHttp11BodyOverTlsIsCutQuietly() throws Exception {
        TestCertificates certs = startHttps(KeyType.RSA);
        try (LogCapture log = LogCapture.of("")) {
            // Cut while berth waits for it in a blocked read: the connection closes, with no answer (a 408 if the
            // read happened to return as the deadline passed).
            String cut = stallOverTls(certs, "POST /v2/team/app/blobs/uploads/?digest="
                    + TestData.digest(new byte[1000]));
            assertTrue(cut.isEmpty() || cut.startsWith("HTTP/1.1 408"), cut);
            // Refused before its body is read (PATCH needs an upload id): the drain of the body is paced too.
            assertTrue(stallOverTls(certs, "PATCH /v2/team/app/blobs/uploads/").startsWith("HTTP/1.1 405"));
            assertEquals(List.of(), log.messages(Level.WARNING), "a cut is no warning");
            assertEquals(List.of(), log.messages(Level.SEVERE));
        }
    }

    /** Starts berth on HTTPS with a key of {@code type} and a body timeout of 1 s; returns its certificates. */
    private TestCertificates startHttps(KeyType type) {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"), type);
        berth = RunningBerth.startHttps(dir.resolve("data"), certs, certs.key(),
                "limits: {body-timeout: 1s, body-min-rate: 1KiB}\n");
        return certs;
    }

    /**
     * Sends {@code requestLine} over HTTP/1.1 and TLS with a 1000-byte body of which only 10 bytes come; returns what
     * berth answered before closing the connection, which it must do within the bound.
     */
    private String stallOverTls(TestCertificates certs, String requestLine) throws IOException {
        try (SSLSocket socket = (SSLSocket) certs.clientContext().getSocketFactory()
                .createSocket("localhost", berth.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(10_000);
            long began = System.nanoTime();
            socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000"
                    + "\r\n\r\n0123456789").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer;
            try {
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            } catch (SSLException | SocketException closed) {
                answer = "";
            }
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            assertTrue(took.compareTo(Duration.ofMillis(900)) > 0 && took.compareTo(Duration.ofSeconds(5)) < 0,
                    "closed after the timeout: " + took);
            return answer;
        }
    }

    @Test
    void theTokenFormIsAFewKibibytesAtMost() throws IOException {
        berth = RunningBerth.start(dir.resolve("data"), "auth: {htpasswd: '"
                + Htpasswd.aliceAndBob(dir.resolve("htpasswd")) + "'}\n");
        TestClient client = berth.client();
        // The review's Content-Length: refused from the header alone, before a byte of the body is read.
        assertError(client.send("POST", "/auth/token", new byte[16000], "Content-Type",
                "application/x-www-form-urlencoded"), 413, "SIZE_INVALID");
        String form = "grant_type=password&service=berth&client_id=containerd&scope=repository:team/app:pull"
                + "&username=alice&password=" + URLEncoder.encode(ALICE_PASSWORD, StandardCharsets.UTF_8);
        HttpResponse<byte[]> granted = client.send("POST", "/auth/token", form.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, granted.statusCode());
        assertTrue(json(granted).path("token").asText().length() > 20);
    }

    /** A body that sends its first bytes and then nothing, until {@link #end}. */
    private static final class Stall implements Flow.Publisher<ByteBuffer> {
        private final byte[] first;
        private volatile Flow.Subscriber<? super ByteBuffer> subscriber;

        Stall(byte[] first) {
            this.first = first;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
            subscriber.onSubscribe(new Flow.Subscription() {
                private boolean sent;

                @Override
                public synchronized void request(long n) {
                    if (!sent) {
                        sent = true;
                        subscriber.onNext(ByteBuffer.wrap(first));
                    }
                }

                @Override
                public void cancel() {
                }
            });
        }

        void end() {
            subscriber.onComplete();
        }
    }
}
