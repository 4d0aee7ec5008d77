package dev.berth.http;

import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.BerthServer;
import dev.berth.config.ConfigLoader;
import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import dev.berth.support.RawHttp;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestCertificates;
import dev.berth.support.TestCertificates.KeyType;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * berth serving HTTPS from PEM files as a CA hands them out: clients that trust the CA get HTTP/2 when they offer it,
 * every usual key format works, and files that cannot serve stop berth at start.
 */
class HttpsTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path certificates;
    private static TestCertificates rsa;
    private static TestCertificates ec;

    @TempDir
    Path root;

    @BeforeAll
    static void makeCertificates() {
        rsa = TestCertificates.create(certificates.resolve("rsa"), KeyType.RSA);
        ec = TestCertificates.create(certificates.resolve("ec"), KeyType.EC);
    }

    @Test
    void clientsTrustingTheCaGetTheApiOverHttp2() {
        try (RunningBerth berth = RunningBerth.startHttps(root, rsa, rsa.key(), "")) {
            HttpResponse<byte[]> r = berth.client().get("/v2/");
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version(), "negotiated by ALPN");
            assertEquals("registry/2.0", header(r, "Docker-Distribution-API-Version"));
        }
    }

    @Test
    void clientsThatOfferOnlyHttp11GetHttp11() throws Exception {
        try (RunningBerth berth = RunningBerth.startHttps(root, rsa, rsa.key(), "")) {
            HttpClient http11 = HttpClient.newBuilder().sslContext(rsa.clientContext())
                    .version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> r = http11.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + berth.port() + "/v2/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        }
    }

    @Test
    void blobsPushedAndPulledOverHttp2AreByteForByteTheSame() {
        byte[] small = TestData.bytes(3 * MIB, 1);
        byte[] large = TestData.bytes(24 * MIB, 2);
        try (RunningBerth berth = RunningBerth.startHttps(root, ec, ec.key(), "")) {
            TestClient client = berth.client();
            // One monolithic POST, and one streamed PATCH completed by a PUT.
            String smallDigest = client.pushBlob("team/app", small);
            String largeDigest = client.pushBlob("team/app", new ByteArrayInputStream(large));
            assertBlob(client, "/v2/team/app/blobs/" + smallDigest, small);
            assertBlob(client, "/v2/team/app/blobs/" + largeDigest, large);

            HttpResponse<byte[]> range = client.get("/v2/team/app/blobs/" + largeDigest, "Range", "bytes=1000-2999999");
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOfRange(large, 1000, 3_000_000), range.body());
        }
    }

    private static void assertBlob(TestClient client, String path, byte[] expected) {
        HttpResponse<byte[]> r = client.get(path);
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(String.valueOf(expected.length), header(r, "Content-Length"));
        assertArrayEquals(expected, r.body(), "pulled bytes differ from pushed ones");
    }

    static Stream<Arguments> keyFormats() {
        return Stream.of(
                Arguments.of("RSA, PKCS#8", KeyType.RSA, (Function<TestCertificates, Path>) TestCertificates::key),
                Arguments.of("RSA, PKCS#1", KeyType.RSA,
                        (Function<TestCertificates, Path>) TestCertificates::traditionalKey),
                Arguments.of("EC, PKCS#8", KeyType.EC, (Function<TestCertificates, Path>) TestCertificates::key),
                Arguments.of("EC, SEC 1", KeyType.EC,
                        (Function<TestCertificates, Path>) TestCertificates::traditionalKey));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyFormats")
    void servesWithEveryUsualKeyFormat(String format, KeyType type, Function<TestCertificates, Path> key) {
        TestCertificates certs = type == KeyType.RSA ? rsa : ec;
        try (RunningBerth berth = RunningBerth.startHttps(root, certs, key.apply(certs), "")) {
            HttpResponse<byte[]> r = berth.client().get("/v2/");
            assertEquals(200, r.statusCode(), format);
        }
    }

    @Test
    void plainHttpIsNotAnsweredOnTheHttpsPort() {
        try (RunningBerth berth = RunningBerth.startHttps(root, rsa, rsa.key(), "")) {
            TestClient plain = new TestClient(URI.create("http://127.0.0.1:" + berth.port()));
            assertThrows(RuntimeException.class, () -> plain.get("/v2/"));
        }
    }

    @Test
    void plainHttpStaysHttp11EvenForClientsThatAskForH2c() {
        // Java's HttpClient asks for h2c on plain HTTP by default; no registry client does, so berth does not.
        try (RunningBerth berth = RunningBerth.start(root)) {
            HttpResponse<byte[]> r = berth.client().get("/v2/");
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        }
    }

    /**
     * Plain HTTP on the HTTPS port gets no HTTP answer: Helidon starts the TLS handshake on every connection it accepts,
     * with no hook before it, and closes the connection when the handshake fails (see "HTTPS" in docs/security.md).
     */
    @Test
    void plainHttpOnTheHttpsPortIsClosedWithoutAnHttpAnswer() throws IOException {
        try (RunningBerth berth = RunningBerth.startHttps(root, rsa, rsa.key(), "");
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), berth.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] answer = readUntilClosed(socket.getInputStream());
            assertFalse(new String(answer, StandardCharsets.ISO_8859_1).contains("HTTP/"),
                    () -> "answered " + Arrays.toString(answer));
            assertEquals(200, berth.client().get("/v2/").statusCode(), "HTTPS clients are served on");
        }
    }

    @Test
    void theRedirectPortAnswersPlainHttpWithTheSameUrlOverHttps() throws Exception {
        try (BerthServer berth = startWithRedirectPort("")) {
            int plainPort = berth.redirectPort().orElseThrow();
            HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            String path = "/v2/team/app/manifests/latest?ns=docker.io&x=%2F";
            for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE")) {
                HttpResponse<byte[]> r = plain.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + plainPort + path))
                        .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(308, r.statusCode(), method);
                assertEquals("https://localhost:" + berth.port() + path, header(r, "Location"), method);
                assertFalse(r.headers().firstValue("Docker-Distribution-API-Version").isPresent(),
                        "the plain port serves no registry");
            }
            HttpResponse<byte[]> health = plain.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + plainPort + "/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(308, health.statusCode(), "nor health");
            assertEquals("https://127.0.0.1:" + berth.port() + "/observe/health", header(health, "Location"));

            // A client that follows redirects and trusts the CA ends up at the registry, over HTTPS.
            HttpClient following = HttpClient.newBuilder().sslContext(rsa.clientContext())
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<byte[]> followed = following.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + plainPort + "/v2/")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, followed.statusCode());
            assertEquals("registry/2.0", header(followed, "Docker-Distribution-API-Version"));
            assertEquals(URI.create("https://localhost:" + berth.port() + "/v2/"), followed.uri());
        }
    }

    /**
     * The attack on the redirect port: one client opens more connections than its cap and sends their request heads
     * a byte at a time. Past its cap its connections are closed at once, the rest when the head timeout passes, and a
     * request from another client is answered all along.
     */
    @Test
    void oneClientSendingHeadsSlowlyDoesNotHoldTheRedirectPort() throws Exception {
        try (BerthServer berth = startWithRedirectPort("limits: {request-head-timeout: 2s}\n")) {
            int plainPort = berth.redirectPort().orElseThrow();
            InetAddress attacker = InetAddress.getByName("127.0.0.2");
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    Socket socket = new Socket();
                    socket.bind(new InetSocketAddress(attacker, 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", plainPort), 2000);
                    socket.setSoTimeout(1);
                    slow.add(socket);
                }
                HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(2))
                        .followRedirects(HttpClient.Redirect.NEVER).build();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                int open;
                do {
                    open = 0;
                    for (Socket socket : slow) {
                        if (sendsOn(socket)) {
                            open++;
                        }
                    }
                    long start = System.nanoTime();
                    HttpResponse<byte[]> r = plain.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + plainPort + "/v2/"))
                            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(308, r.statusCode(), "another client is answered while " + open + " are held");
                    assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "at once");
                    assertTrue(open <= 64, open + " slow connections open: more than the client's cap of 64");
                    Thread.sleep(500);
                } while (open > 0 && System.nanoTime() < deadline);
                assertEquals(0, open, "the slow heads are closed after the head timeout, though bytes kept coming");
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    /** Sends one more byte of a request head; false once berth closed the connection. */
    private static boolean sendsOn(Socket socket) {
        if (socket.isClosed()) {
            return false;
        }
        try {
            try {
                if (socket.getInputStream().read() < 0) {
                    socket.close();
                    return false;
                }
            } catch (SocketTimeoutException e) {
                // Nothing to read: still open.
            }
            socket.getOutputStream().write('G');
            socket.getOutputStream().flush();
            return true;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closed either way.
            }
            return false;
        }
    }

    @Test
    void theRedirectPortNeverNamesAnotherHostWhateverTheRequestTarget() throws Exception {
        try (BerthServer berth = startWithRedirectPort("")) {
            int plainPort = berth.redirectPort().orElseThrow();
            // After "https://127.0.0.1:<port>", "@evil.example/x" would make 127.0.0.1:<port> user info and
            // evil.example the host; the others would make no URL.
            for (String target : List.of("@evil.example/x", "evil.example/x", "http://evil.example/x", "*")) {
                String answer = RawHttp.send(plainPort, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + plainPort
                        + "\r\nConnection: close\r\n");
                assertTrue(answer.startsWith("HTTP/1.1 400 "), target + ": " + answer);
                assertFalse(answer.toLowerCase(Locale.ROOT).contains("location:"), target + ": " + answer);
            }
            String answer = RawHttp.send(plainPort, "GET //evil.example/x HTTP/1.1\r\nHost: 127.0.0.1:" + plainPort
                    + "\r\nConnection: close\r\n");
            assertTrue(answer.contains("Location: https://127.0.0.1:" + berth.port() + "//evil.example/x\r\n"),
                    "a path that starts with two slashes is a path on berth: " + answer);
        }
    }

    @Test
    void aRedirectPortNeedsTlsAndAPortOfItsOwn() {
        assertEquals("server.tls.redirect-port redirects plain HTTP to HTTPS: it needs server.tls.cert and"
                + " server.tls.key", assertThrows(IllegalArgumentException.class, () -> ConfigLoader.fromYaml(
                "server: {port: 5000, tls: {redirect-port: 80}}")).getMessage());
        assertEquals("server.tls.redirect-port 5000 is server.port, where berth speaks HTTPS: give the plain-HTTP"
                + " listener a port of its own, such as 80", assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.fromYaml("server: {port: 5000, tls: {cert: '" + rsa.chain() + "', key: '"
                        + rsa.key() + "', redirect-port: 5000}}")).getMessage());
    }

    /** What the server sent until it closed the connection (a reset counts as closed). */
    /** A berth over TLS on a free port, with a plain-HTTP redirect port, and {@code extraYaml} beside. */
    private BerthServer startWithRedirectPort(String extraYaml) {
        return BerthServer.start(ConfigLoader.fromYaml("server: {host: 127.0.0.1, port: 0, tls: {cert: '" + rsa.chain()
                + "', key: '" + rsa.key() + "', redirect-port: 0}}\nstorage: {root: '" + root + "'}\n" + extraYaml));
    }

    private static byte[] readUntilClosed(InputStream in) {
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (java.net.SocketException e) {
            // Connection reset: closed as well.
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return received.toByteArray();
    }

    // ---- files that cannot serve ----

    @Test
    void keyOfAnotherCertificateStopsBerth(@TempDir Path other) {
        TestCertificates stranger = TestCertificates.create(other, KeyType.RSA);
        assertRefused(rsa.chain(), stranger.key(), "server.tls.key " + stranger.key()
                + ": this key does not belong to the first certificate in " + rsa.chain());
    }

    @Test
    void keyOfAnotherTypeThanTheCertificateStopsBerth() {
        assertRefused(rsa.chain(), ec.key(), "does not belong to the first certificate");
    }

    @Test
    void certificateFileWithoutACertificateStopsBerth() {
        assertRefused(rsa.key(), rsa.key(), "server.tls.cert " + rsa.key() + ": no PEM certificate");
    }

    @Test
    void anEncryptedKeyStopsBerthSayingSoAndHowToDecryptIt() {
        for (Path key : List.of(rsa.encryptedKey(false), rsa.encryptedKey(true), ec.encryptedKey(true))) {
            assertRefused(rsa.chain(), key, "server.tls.key " + key + ": the key is encrypted, and berth has no"
                    + " passphrase: decrypt it once with openssl pkey -in " + key + " -out privkey.pem (it asks for"
                    + " the passphrase) and name privkey.pem here");
        }
    }

    @Test
    void keyFileWithoutAKeyStopsBerth() {
        assertRefused(rsa.chain(), rsa.chain(), "server.tls.key " + rsa.chain() + ": no unencrypted PEM private key");
    }

    @Test
    void berthExitsWithStatus2AndSaysWhy() throws IOException {
        ExternalCommand.Result result = ChildBerth.runUntilExit(tlsYaml(rsa.chain(), ec.key()));
        assertEquals(2, result.exitCode(), result::stderr);
        assertTrue(result.stderr().contains("berth: bad configuration: server.tls.key " + ec.key()
                + ": this key does not belong"), result::stderr);
    }

    private void assertRefused(Path cert, Path key, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BerthServer.start(ConfigLoader.fromYaml(tlsYaml(cert, key))).close());
        assertTrue(e.getMessage().contains(message), e::getMessage);
    }

    private String tlsYaml(Path cert, Path key) {
        return "server: {host: 127.0.0.1, port: 0, tls: {cert: '" + cert + "', key: '" + key + "'}}\n"
                + "storage: {root: '" + root + "'}\n";
    }
}
