package dev.berth.mirror;

import static dev.berth.support.MockHub.manifestPath;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.oci.MediaTypes;
import dev.berth.support.MockHub;
import dev.berth.support.RunningBerth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A tag's freshness outlives a restart: the time its upstream last confirmed it is kept with the tag in the store, so
 * a berth started again within the tag TTL serves it without a HEAD, and revalidates it once the TTL is over.
 */
class FreshnessAfterRestartTest extends MirrorTestBase {
    private static final String LATEST = manifestPath(BUSYBOX, "latest");

    @Test
    void aTagConfirmedBeforeARestartIsNotAskedAboutAgainWithinItsTtl() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        // Revalidated past the TTL: the time kept is this one, not the first fetch's.
        clock.advance(TAG_TTL.plusMinutes(1));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("HEAD " + LATEST + " 200", "GET " + manifestPath(BUSYBOX, image.digest().toString())
                + " 200", "HEAD " + LATEST + " 200"), answeredSince(0));
        int before = hub.log().size();

        restart();
        clock.advance(TAG_TTL.minusSeconds(10));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of(), answeredSince(before), "fresh still after the restart: the upstream was not asked");

        clock.advance(Duration.ofSeconds(11));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("HEAD " + LATEST + " 200"), answeredSince(before), "past the TTL it is revalidated");
    }

    @Test
    void aTagStoredWithoutATimeAsBeforeIsRevalidatedOnceAndThenKeepsItsTime() throws IOException {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        Path tagFile = tagFile();
        assertEquals(image.digest() + "\nconfirmed " + clock.instant().toEpochMilli(), Files.readString(tagFile),
                "the tag's file keeps the time of the confirmation");
        // As a tag cached before times were kept: the digest only.
        Files.writeString(tagFile, image.digest().toString());
        int before = hub.log().size();

        restart();
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 3; i++) {
            assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        }
        assertEquals(List.of("HEAD " + LATEST + " 200"), answeredSince(before));
        assertEquals(image.digest() + "\nconfirmed " + clock.instant().toEpochMilli(), Files.readString(tagFile));
    }

    private Path tagFile() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.endsWith(Path.of("docker.io/library/busybox/_tags/latest"))).findFirst()
                    .orElseThrow();
        }
    }

    /** What the hub answered after the first {@code from} requests, but for the token flow's challenges. */
    private List<String> answeredSince(int from) {
        return hubLogSince(from).stream().filter(line -> !line.endsWith(" 401")).toList();
    }

    private void restart() {
        berth.close();
        berth = RunningBerth.start(root, mirrorYaml(), clock);
        client = berth.client();
    }
}
