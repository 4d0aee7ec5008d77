package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.support.HeldBody;
import dev.berth.support.MockHub;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestCertificates;
import dev.berth.support.TestData;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients following an upstream download over HTTP/2: bytes as they arrive, and a cut download never ends clean. */
class Http2MirrorTest extends MirrorTestBase {
    @TempDir
    static Path certificates;
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() {
        certs = TestCertificates.create(certificates, TestCertificates.KeyType.EC);
    }

    @Override
    @BeforeEach
    void startBerth() {
        berth = RunningBerth.startHttps(root, certs, certs.key(), mirrorYaml(), clock);
        client = berth.client();
    }

    @Test
    void bytesReachTheClientWhileTheDownloadRuns() throws Exception {
        byte[] layer = TestData.bytes(1024 * 1024, 20);
        HeldBody held = busyboxWithHeldLayer(layer);
        try {
            HttpResponse<InputStream> r = client.stream(MockHub.blobPath("busybox", layer));
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            Received rest = readAcrossRelease(r.body(), held);
            assertNull(rest.failure(), rest::toString);
            assertArrayEquals(Arrays.copyOfRange(layer, 1, layer.length), rest.bytes());
        } finally {
            held.release();
        }
    }

    @Test
    void aCutDownloadEndsTheStreamWithAnError() throws Exception {
        byte[] layer = TestData.bytes(1024 * 1024, 21);
        HeldBody cut = busyboxWithCutLayer(layer);

        HttpResponse<InputStream> r = client.stream(MockHub.blobPath("busybox", layer));
        assertEquals(200, r.statusCode());
        Received received = readAcrossRelease(r.body(), cut);
        assertNotNull(received.failure(), () -> "a cut download must not end like a complete one: " + received);
    }
}
