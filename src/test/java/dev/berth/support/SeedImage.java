package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.support.OciLayoutBuilder.Image;
import java.io.IOException;
import java.nio.file.Path;

/** A random image written once to an OCI layout under a tag, pushed to upstreams, and compared with what was pulled. */
public record SeedImage(Path layout, Image image, String tag) {
    /** Writes an amd64 image of {@code layers} random layers of {@code layerBytes} to {@code layout}, as {@code tag}. */
    public static SeedImage write(Path layout, long seed, int layers, int layerBytes, String tag) {
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, seed);
        Image image = builder.image("amd64", layers, layerBytes);
        builder.tag(tag, image.manifest());
        return new SeedImage(layout, image, tag);
    }

    /** Pushes it with skopeo to {@code repository} on {@code registry}, digests as they are. */
    public void pushTo(DistributionRegistry registry, String repository, Skopeo skopeo) {
        skopeo.copy("oci:" + layout + ":" + tag, "docker://" + registry.hostPort() + "/" + repository + ":" + tag,
                "--preserve-digests");
    }

    /** The OCI layout {@code out} holds this image under its tag, with the same digests and bytes. */
    public void assertPulled(Path out) throws IOException {
        assertEquals(image.manifest().digest(), OciLayoutAssertions.refDigest(out, tag));
        OciLayoutAssertions.assertSameBlobs(layout, out, image);
    }
}
