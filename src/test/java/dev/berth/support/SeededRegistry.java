package dev.berth.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's docker-registry standing in for an upstream: an OCI layout written once for the test class, and a fresh
 * registry for every test (tests stop it, freeze it, count its requests) that skopeo seeds from the layout before the
 * test runs. Register as a static {@code @RegisterExtension} field.
 */
public final class SeededRegistry implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private record Push(String tag, String reference) {
    }

    private Consumer<Path> writeLayout;
    private final List<Push> pushes = new ArrayList<>();
    private SeedImage seedImage;
    private Path directory;
    private Skopeo skopeo;
    private DistributionRegistry registry;
    private int seedingRequests;

    /** A registry seeded from the OCI layout that {@code writeLayout} writes into the directory it is given. */
    public SeededRegistry(Consumer<Path> writeLayout) {
        this.writeLayout = writeLayout;
    }

    private SeededRegistry() {
    }

    /**
     * A registry holding one amd64 image of {@code layers} random layers of {@code layerBytes} (bytes from
     * {@code seed}) as {@code repository:tag}.
     */
    public static SeededRegistry image(long seed, int layers, int layerBytes, String repository, String tag) {
        SeededRegistry registry = new SeededRegistry();
        registry.writeLayout = layout -> registry.seedImage = SeedImage.write(layout, seed, layers, layerBytes, tag);
        return registry.push(tag, repository + ":" + tag);
    }

    /** Pushes the layout's {@code tag} (every platform, digests kept) as {@code reference} (repository:tag). */
    public SeededRegistry push(String tag, String reference) {
        pushes.add(new Push(tag, reference));
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        skopeo = Skopeo.find();
        directory = TempTree.create("seeded-registry");
        writeLayout.accept(layout());
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        registry = DistributionRegistry.start(Files.createDirectories(directory.resolve("registry")));
        for (Push push : pushes) {
            skopeo.copy("oci:" + layout() + ":" + push.tag(),
                    "docker://" + registry.hostPort() + "/" + push.reference(), "--all", "--preserve-digests");
        }
        seedingRequests = registry.requests().size();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            registry.close();
        } finally {
            TempTree.delete(directory.resolve("registry"));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TempTree.delete(directory);
    }

    /** This test's registry. */
    public DistributionRegistry registry() {
        return registry;
    }

    /** The OCI layout it was seeded from. */
    public Path layout() {
        return directory.resolve("layout");
    }

    /** The image made by {@link #image(long, int, int, String, String)}. */
    public OciLayoutBuilder.Image image() {
        return seedImage.image();
    }

    /** The OCI layout {@code out} holds the image made by {@link #image(long, int, int, String, String)}. */
    public void assertPulled(Path out) throws IOException {
        seedImage.assertPulled(out);
    }

    /** The skopeo that seeded it, for the test's own copies. */
    public Skopeo skopeo() {
        return skopeo;
    }

    /** What the registry was asked since it was seeded (skopeo's pushes ask too), oldest first. */
    public List<RequestLog.Request> requestsSinceSeeding() {
        List<RequestLog.Request> all = registry.requests();
        return all.subList(seedingRequests, all.size());
    }
}
