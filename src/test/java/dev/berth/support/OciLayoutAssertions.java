package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.OciLayoutBuilder.Blob;
import dev.berth.support.OciLayoutBuilder.Image;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Checks on OCI layout directories that skopeo wrote, against the layout the test built. */
public final class OciLayoutAssertions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayoutAssertions() {
    }

    /** The digest {@code index.json} of an OCI layout gives for {@code refName}. */
    public static String refDigest(Path layout, String refName) throws IOException {
        for (JsonNode entry : JSON.readTree(layout.resolve("index.json").toFile()).path("manifests")) {
            if (refName.equals(entry.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                return entry.path("digest").asText();
            }
        }
        throw new AssertionError(refName + " is not named in " + layout.resolve("index.json"));
    }

    /** The image's manifest, config and layers are in {@code actual} with exactly the bytes they have in {@code expected}. */
    public static void assertSameBlobs(Path expected, Path actual, Image image) throws IOException {
        List<Blob> blobs = Stream.concat(Stream.of(image.manifest(), image.config()), image.layers().stream()).toList();
        for (Blob blob : blobs) {
            assertSameFile(OciLayoutBuilder.blobPath(expected, blob), OciLayoutBuilder.blobPath(actual, blob));
        }
    }

    /** Both files have the same bytes. */
    public static void assertSameFile(Path expected, Path actual) throws IOException {
        assertEquals(-1, Files.mismatch(expected, actual), actual + " differs from " + expected);
    }
}
