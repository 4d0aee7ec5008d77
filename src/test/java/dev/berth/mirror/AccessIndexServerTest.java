package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.ChildBerth;
import dev.berth.support.MockHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Through the server: blobs and manifests pulled over HTTP enter the access index, which stopping berth (or SIGTERM)
 * saves.
 */
class AccessIndexServerTest extends MirrorTestBase {
    @Override
    protected String mirrorYaml() {
        return super.mirrorYaml() + "cache:\n  max-bytes: 1GiB\n";
    }

    @Test
    void pulledBlobsAreSavedWhenBerthStops() throws IOException {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        assertBlob(client.get(MockHub.blobPath("busybox", image.layers().getFirst())), image.layers().getFirst());

        berth.close();
        berth = null;

        List<String> lines = Files.readAllLines(root.resolve("access-index"));
        assertEquals(1, lines.size(), () -> "the one blob pulled: " + lines);
        assertTrue(lines.getFirst().startsWith(Digest.sha256(image.layers().getFirst()) + " "));
        assertEquals(START.toEpochMilli(), Long.parseLong(lines.getFirst().split(" ")[1]), "by berth's clock");
    }

    /** A client that holds the image checks its tag with a HEAD and pulls nothing: the manifest is still in use. */
    @Test
    void aManifestsHeadByTagRecordsItsUse() throws IOException {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        assertEquals(200, client.head("/v2/busybox/manifests/latest").statusCode());

        berth.close();
        berth = null;

        assertEquals(List.of(image.digest() + " " + START.toEpochMilli()),
                Files.readAllLines(root.resolve("access-index")));
    }

    @Test
    void sigtermSavesTheIndex() throws IOException {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 3);
        Path childRoot = root.resolve("child");
        ChildBerth child = ChildBerth.start(List.of(), childRoot, mirrorYaml());
        try {
            assertBlob(child.client().get(MockHub.blobPath("busybox", image.layers().getFirst())),
                    image.layers().getFirst());
        } finally {
            child.close();
        }

        assertTrue(Files.exists(childRoot.resolve("access-index")), child::output);
        String index = Files.readString(childRoot.resolve("access-index"));
        assertTrue(index.startsWith(Digest.sha256(image.layers().getFirst()) + " "), index);
    }
}
