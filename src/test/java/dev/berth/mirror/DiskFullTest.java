package dev.berth.mirror;

import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.ExternalCommand;
import dev.berth.support.LogCapture;
import dev.berth.support.MockHub;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import dev.berth.support.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berth's data directory on a small tmpfs that the test fills: pushes and fetches that cannot be stored fail with 507
 * and leave nothing behind, cached content is still served, and once space is freed pushes work again.
 */
class DiskFullTest {
    private static final int LAYER = 1024 * 1024;
    private static final int RESERVE = 256 * 1024;

    @StartStop
    public final MockWebServer hubServer = new MockWebServer();
    @TempDir
    Path dir;

    private final MockHub hub = new MockHub(hubServer, null, MockHub.DOCKER_HUB_SERVICE);
    private Path disk;
    private RunningBerth berth;

    @BeforeEach
    void mountSmallDisk() throws IOException {
        Tools.requireRoot("mounts a small tmpfs to fill it");
        disk = Files.createDirectory(dir.resolve("disk"));
        ExternalCommand.Result mounted = ExternalCommand.run(
                List.of("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString()), Duration.ofSeconds(10));
        assertEquals(0, mounted.exitCode(), mounted.stderr());
    }

    @AfterEach
    void unmount() {
        if (berth != null) {
            berth.close();
        }
        // Lazily: a file berth's threads still hold open as they stop must not keep the mount behind.
        ExternalCommand.Result unmounted = ExternalCommand.run(List.of("umount", "--lazy", disk.toString()),
                Duration.ofSeconds(10));
        assertEquals(0, unmounted.exitCode(), unmounted.stderr());
    }

    @Test
    void fullDiskRefusesWritesAndKeepsServing() throws IOException, InterruptedException {
        try (LogCapture log = LogCapture.of("")) {
            refusesWritesAndKeepsServing();
            // Each failure is a line of its own, never Helidon's "Unable to reset response" and a stack trace.
            assertFalse(log.text().contains("Unable to reset"), log::text);
            assertFalse(log.text().contains("\tat "), () -> "no stack trace at INFO and above: " + log.text());
        }
    }

    private void refusesWritesAndKeepsServing() throws IOException, InterruptedException {
        Path root = disk.resolve("data");
        berth = RunningBerth.start(root, "mirror:\n  upstreams:\n    - {registry: docker.io, url: '" + hub.url()
                + "', default: true}\nprivate:\n  repositories: ['team/*']\n");
        TestClient client = berth.client();
        byte[] config = TestData.utf8("{\"app\":1}");
        byte[] layer = TestData.bytes(10_000, 1);
        byte[] pushed = client.pushImage("team/app", "1", config, layer);
        MockHub.Image cached = hub.image("library/cached", "latest", 2);
        MockHub.Image cold = hub.image("library/cold", "latest", TestData.utf8("{\"cold\":1}"),
                TestData.bytes(LAYER, 3));
        assertEquals(200, client.get(MockHub.manifestPath("library/cached", "latest")).statusCode());
        MirrorTestBase.assertBlob(client.get(MockHub.blobPath("library/cached", cached.layers().getFirst())),
                cached.layers().getFirst());
        MirrorTestBase.awaitFillsStored(client);

        Path reserve = Files.write(disk.resolve("reserve"), new byte[RESERVE]);
        fill(disk.resolve("filler"));
        Files.delete(reserve);

        byte[] big = TestData.bytes(LAYER, 4);
        HttpResponse<byte[]> refused = client.send("POST", "/v2/team/app/blobs/uploads/?digest="
                + TestData.digest(big), big);
        assertError(refused, 507, "UNAVAILABLE");
        HttpResponse<byte[]> session = client.send("POST", "/v2/team/app/blobs/uploads/", null);
        assertEquals(202, session.statusCode());
        assertError(client.send("PATCH", session.headers().firstValue("Location").orElseThrow(), big), 507,
                "UNAVAILABLE");
        assertEquals(404, client.head("/v2/team/app/blobs/" + TestData.digest(big)).statusCode());
        assertTrue(list(root.resolve("uploads")).isEmpty(), "the refused upload's bytes are gone");

        assertEquals(200, client.get(MockHub.manifestPath("library/cold", "latest")).statusCode());
        String coldLayer = MockHub.blobPath("library/cold", cold.layers().getFirst());
        assertFetchRefused(client, coldLayer, cold.layers().getFirst());
        assertEquals(404, client.head("/v2/team/app/blobs/" + TestData.digest(big)).statusCode());

        fill(disk.resolve("filler2"));
        assertError(client.putManifest("team/app", "2", TestData.ociManifest(config, layer),
                "application/vnd.oci.image.manifest.v1+json"), 507, "UNAVAILABLE");
        assertEquals(404, client.get("/v2/team/app/manifests/2").statusCode());

        assertArrayEquals(pushed, client.get("/v2/team/app/manifests/1").body());
        assertEquals(TestData.digest(layer), TestData.digest(client.get("/v2/team/app/blobs/"
                + TestData.digest(layer)).body()));
        MirrorTestBase.assertBlob(client.get(MockHub.blobPath("library/cached", cached.layers().getFirst())),
                cached.layers().getFirst());
        assertTrue(list(root.resolve(".tmp")).isEmpty(), "no temporary file is left behind");

        Files.delete(disk.resolve("filler"));
        Files.delete(disk.resolve("filler2"));
        assertEquals(TestData.digest(big), client.pushBlob("team/app", big));
        int fetched = hub.count("GET", coldLayer);
        MirrorTestBase.assertBlob(client.get(coldLayer), cold.layers().getFirst());
        assertEquals(fetched + 1, hub.count("GET", coldLayer), "the refused blob was not cached: fetched again");
    }

    /**
     * A fetch that cannot be stored is answered 507 when it fails before the response started, and cut short once
     * bytes are under way, unless the client had every byte, verified, from memory before the spool's write failed:
     * then exactly the blob. Never a complete answer of other bytes.
     */
    private static void assertFetchRefused(TestClient client, String path, byte[] blob) {
        HttpResponse<byte[]> response;
        try {
            response = client.get(path);
        } catch (UncheckedIOException cut) {
            return;
        }
        if (response.statusCode() == 200) {
            MirrorTestBase.assertBlob(response, blob);
            return;
        }
        assertError(response, 507, "UNAVAILABLE");
    }

    /** Writes zeros to {@code file} until the disk is full. */
    private static void fill(Path file) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("No space left"), e::toString);
        }
    }

    private static List<Path> list(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.toList();
        }
    }
}
