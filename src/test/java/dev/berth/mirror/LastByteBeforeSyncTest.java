package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.budget.AccessIndex;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.fleet.Owners;
import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.FileUploadData;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.Repository;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.HeldBody;
import dev.berth.support.HeldImports;
import dev.berth.support.MockHub;
import dev.berth.support.MutableClock;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestData;
import dev.berth.upstream.UpstreamClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cold blob's last byte reaches its clients once the digest matched and before the sync that stores it, which
 * {@link HeldImports} holds open: what clients get then, what other requests see, and what a crash at that moment
 * leaves. The mirror is wired by hand over the holding storage, as {@code BerthServer} wires it over a directory.
 */
class LastByteBeforeSyncTest {
    private static final OkHttpClient CONNECTIONS = new OkHttpClient();
    private static final String BUSYBOX = "library/busybox";
    private static final RepoName CACHED = RepoName.of("docker.io/" + BUSYBOX);
    private static final byte[] LAYER = TestData.bytes(1024 * 1024 + 17, 7);
    private static final Digest DIGEST = Digest.sha256(LAYER);

    @StartStop
    public final MockWebServer hubServer = new MockWebServer();
    @StartStop
    public final MockWebServer authServer = new MockWebServer();
    @TempDir
    Path root;

    private final MockHub hub = new MockHub(hubServer, authServer, MockHub.DOCKER_HUB_SERVICE);
    private final HeldImports imports = new HeldImports();
    private final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
    private LocalRegistry registry;
    private MirrorService mirror;
    private Repository busybox;

    @BeforeEach
    void wire() {
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), LAYER);
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        BerthConfig config = ConfigLoader.fromYaml(mirrorYaml());
        FileSystemStorage disk = new FileSystemStorage(root);
        registry = new LocalRegistry(imports.wrap(disk), new FileUploadData(disk), 4 << 20, 0);
        mirror = new MirrorService(config, registry,
                u -> new UpstreamClient(u, CONNECTIONS, clock), clock, AccessIndex.load(disk, clock), bytes -> { },
                MirrorEvents.NONE, Owners.alone());
        busybox = mirror.router().repository(RepoName.of(BUSYBOX), Optional.empty());
    }

    @AfterEach
    void stop() throws InterruptedException {
        imports.release();
        clients.shutdownNow();
        // Before the data directory goes: a released import still writes there.
        assertTrue(mirror.awaitBlobFills(Duration.ofSeconds(10)), "every download over");
    }

    private String mirrorYaml() {
        return "mirror:\n  upstreams:\n    - {registry: docker.io, url: '" + hub.url() + "', default: true}\n";
    }

    @Test
    void theClientHasTheWholeBlobBeforeTheSyncAndALateClientJoinsThatDownload() throws Exception {
        Future<byte[]> first = clients.submit(() -> read(busybox.openBlob(DIGEST)));
        Path scratch = imports.awaitHeld();

        assertArrayEquals(LAYER, first.get(10, TimeUnit.SECONDS), "every byte, while the import is held");
        assertEquals(Optional.empty(), registry.blobs().size(DIGEST), "not visible before it is durable");
        assertEquals(Optional.empty(), registry.repository(CACHED).blobSize(DIGEST));
        assertArrayEquals(LAYER, read(busybox.openBlob(DIGEST)), "a client arriving now reads the same download");
        assertEquals(1, hub.served("GET", MockHub.blobPath(BUSYBOX, LAYER)));

        imports.release();
        Poll.until(() -> registry.repository(CACHED).blobSize(DIGEST).isPresent(), "stored and linked once imported");
        assertArrayEquals(LAYER, read(busybox.openBlob(DIGEST)));
        assertEquals(1, hub.served("GET", MockHub.blobPath(BUSYBOX, LAYER)), "one download in all");
        assertFalse(Files.exists(scratch), "the scratch file became the blob");
    }

    @Test
    void wrongBytesSendAllButTheLastByteThenEndShortAndNothingIsImported() throws Exception {
        byte[] corrupt = LAYER.clone();
        corrupt[LAYER.length - 1000] ^= 0x55;
        HeldBody held = HeldBody.thenRest(corrupt, MirrorTestBase.FIRST_PART);
        hub.override("GET", MockHub.blobPath(BUSYBOX, LAYER), held.response());
        ByteArrayOutputStream received = new ByteArrayOutputStream();

        Future<?> client = clients.submit(() -> {
            try (BlobContent blob = busybox.openBlob(DIGEST)) {
                blob.copyTo(0, blob.size(), received);
            }
            return null;
        });
        Poll.until(() -> received.size() > 0, "bytes reach the client while the upstream holds the rest");
        held.release();

        ExecutionException failed = assertThrows(ExecutionException.class, () -> client.get(10, TimeUnit.SECONDS));
        assertEquals(OciError.UNAVAILABLE, assertInstanceOf(RegistryException.class, failed.getCause()).error());
        assertTrue(received.size() < LAYER.length, () -> received.size() + " bytes: never a complete response");
        assertEquals(Optional.empty(), registry.blobs().size(DIGEST));
        assertEquals(List.of(), list(root.resolve(".tmp")), "the scratch file is gone, never imported");
    }

    @Test
    void aCrashAfterTheLastByteButBeforeTheSyncLeavesNothingAndTheNextPullFetchesAgain(@TempDir Path crashed)
            throws Exception {
        Future<byte[]> client = clients.submit(() -> read(busybox.openBlob(DIGEST)));
        imports.awaitHeld();
        assertArrayEquals(LAYER, client.get(10, TimeUnit.SECONDS));
        // What the data directory holds if berth is killed now: the fill thread waits in the import meanwhile.
        copyTree(root, crashed);
        assertEquals(1, list(crashed.resolve(".tmp")).size(), "the spooled blob, not yet imported");
        assertFalse(Files.exists(crashed.resolve("blobs")), "nothing stored");

        try (RunningBerth restarted = RunningBerth.start(crashed, mirrorYaml())) {
            assertEquals(List.of(), list(crashed.resolve(".tmp")), "scratch files are removed at start");
            MirrorTestBase.assertBlob(restarted.client().get(MockHub.blobPath("busybox", LAYER)), LAYER);
            assertEquals(2, hub.served("GET", MockHub.blobPath(BUSYBOX, LAYER)), "downloaded again");
        }
    }

    private static byte[] read(BlobContent blob) throws IOException {
        try (blob) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            blob.copyTo(0, blob.size(), out);
            return out.toByteArray();
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
