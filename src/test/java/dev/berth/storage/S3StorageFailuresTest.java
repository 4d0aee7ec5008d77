package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.LogCapture;
import dev.berth.support.S3Server;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** What berth is told when its bucket is missing, refuses it or cannot be reached, and what it never says. */
class S3StorageFailuresTest {
    private static final String WRONG_SECRET = "not-the-secret-d41d8cd9";

    @TempDir
    Path serverData;
    @TempDir
    Path scratch;
    S3Server server;

    @BeforeEach
    void start() throws Exception {
        server = S3Server.start(serverData);
        server.createBucket("berth");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private S3Settings settings(URI endpoint, String bucket, String accessKey, String secretKey) {
        return new S3Settings(Optional.of(endpoint), S3Server.REGION, bucket, true, accessKey, secretKey);
    }

    @Test
    void aMissingBucketIsNamedWithTheCommandThatCreatesIt() {
        S3Settings settings = server.settings("nope");
        assertEquals("storage.s3: bucket \"nope\" does not exist at " + server.endpoint()
                        + " (create it, e.g. aws s3 mb s3://nope)",
                assertThrows(IllegalArgumentException.class, () -> S3Storage.connect(settings, scratch)).getMessage());
    }

    @Test
    void anEndpointThatDoesNotAnswerIsNamed() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        S3Settings settings = settings(endpoint, "berth", S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
        assertEquals("storage.s3: the endpoint " + endpoint + " cannot be reached: Connection refused",
                assertThrows(StorageUnavailableException.class, () -> S3Storage.connect(settings, scratch))
                        .getMessage());
    }

    @Test
    void refusedCredentialsNameTheAccessKeysStartAndTheKeysToCheck() {
        S3Settings unknownKey = settings(server.endpoint(), "berth", "AKIAUNKNOWN", S3Server.SECRET_KEY);
        assertEquals("storage.s3: access denied (InvalidAccessKeyId) to bucket \"berth\" with access key AKIA..."
                        + " check storage.s3.access-key and storage.s3.secret-key",
                assertThrows(IllegalArgumentException.class, () -> S3Storage.connect(unknownKey, scratch))
                        .getMessage());
        S3Settings wrongSecret = settings(server.endpoint(), "berth", S3Server.ACCESS_KEY, WRONG_SECRET);
        assertEquals("storage.s3: access denied (SignatureDoesNotMatch) to bucket \"berth\" with access key bert..."
                        + " check storage.s3.access-key and storage.s3.secret-key",
                assertThrows(IllegalArgumentException.class, () -> S3Storage.connect(wrongSecret, scratch))
                        .getMessage());
    }

    @Test
    void anOutageMakesOperationsUnavailableNamingOperationAndKey() throws Exception {
        try (S3Storage storage = S3Storage.connect(server.settings("berth"), scratch)) {
            storage.write("tags/latest", new byte[] {1});
            server.stop();
            assertEquals("S3 HeadObject tags/latest: the store cannot be reached: Connection refused",
                    assertThrows(StorageUnavailableException.class, () -> storage.stat("tags/latest")).getMessage());
            assertEquals("S3 PutObject tags/next: the store cannot be reached: Connection refused",
                    assertThrows(StorageUnavailableException.class, () -> storage.write("tags/next", new byte[1]))
                            .getMessage());
            assertThrows(StorageUnavailableException.class, () -> storage.list("tags"));
            Path file = storage.newScratchFile();
            Files.write(file, new byte[100]);
            assertThrows(StorageUnavailableException.class, () -> storage.importFile("blobs/x", file));
            assertFalse(Files.exists(file), "a failed import deletes its file too");
        }
    }

    @Test
    void theSecretKeyIsInNoMessageAndNoLogLine() throws Exception {
        Logger sdk = Logger.getLogger("software.amazon.awssdk");
        Level before = sdk.getLevel();
        sdk.setLevel(Level.ALL);
        List<Throwable> failures = new ArrayList<>();
        try (LogCapture sdkLog = LogCapture.of("software.amazon.awssdk"); LogCapture berthLog = LogCapture.of("dev.berth");
             LogCapture serverLog = LogCapture.of("org.gaul")) {
            S3Settings settings = server.settings("berth");
            collect(failures, () -> S3Storage.connect(settings(server.endpoint(), "berth", S3Server.ACCESS_KEY,
                    WRONG_SECRET), scratch));
            collect(failures, () -> S3Storage.connect(server.settings("nope"), scratch));
            try (S3Storage storage = S3Storage.connect(settings, scratch)) {
                storage.write("k", new byte[] {1});
                assertTrue(storage.read("missing", 10).isEmpty());
                collect(failures, () -> storage.read("k", 0));
                assertFalse(storage.presign("k", Duration.ofMinutes(1)).orElseThrow().toString()
                        .contains(S3Server.SECRET_KEY));
                server.stop();
                collect(failures, () -> storage.stat("k"));
            }
            assertEquals(4, failures.size());
            assertFalse(sdkLog.messages().isEmpty(), "the SDK's own log reaches java.util.logging");
            String everything = sdkLog.text() + berthLog.text() + serverLog.text() + stackTraces(failures)
                    + settings;
            assertFalse(everything.contains(S3Server.SECRET_KEY), "the secret key was logged or put in a message");
            assertFalse(everything.contains(WRONG_SECRET), "a wrong secret key was logged or put in a message");
        } finally {
            sdk.setLevel(before);
        }
    }

    private static void collect(List<Throwable> failures, Executable action) {
        try {
            action.execute();
        } catch (Throwable t) {
            failures.add(t);
        }
    }

    private static String stackTraces(List<Throwable> failures) {
        StringWriter text = new StringWriter();
        failures.forEach(t -> t.printStackTrace(new PrintWriter(text)));
        return text.toString();
    }
}
