package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * A network namespace of the test class's own with only loopback up (so nothing in it reaches past the machine), its
 * skopeo and curl, and for image tests one dockerd in it with berth's image from {@code ./build image} loaded. Where
 * root, dockerd, a tool or the image is missing, every test of the class is skipped with the reason. Register as a
 * static {@code @RegisterExtension} field; the class's own set-up goes through {@link #prepare}.
 */
public final class DockerSandbox implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private static final Path IMAGE_ARCHIVE = Path.of("target", "berth-image.tar");

    /** The class's own set-up in the sandbox, which may find something missing and skip the class. */
    @FunctionalInterface
    public interface Setup {
        void run() throws Exception;
    }

    private final boolean withImage;
    private final Map<String, String> tools = new LinkedHashMap<>();
    private Path directory;
    private NetworkNamespace namespace;
    private DockerDaemon docker;
    private Skopeo skopeo;
    private Curl curl;
    private TestAbortedException unavailable;

    private DockerSandbox(boolean withImage) {
        this.withImage = withImage;
    }

    /** The namespace, with no dockerd: the class starts its own. */
    public static DockerSandbox namespaceOnly() {
        return new DockerSandbox(false);
    }

    /** The namespace and a dockerd in it that holds {@code berth:latest}. */
    public static DockerSandbox withBerthImage() {
        return new DockerSandbox(true);
    }

    /** Skips the class where {@code program} (of the Debian package {@code debianPackage}) is missing. */
    public DockerSandbox requiring(String program, String debianPackage) {
        tools.put(program, debianPackage);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        prepare(() -> {
            Path archive = withImage ? Tools.requireFile(IMAGE_ARCHIVE, "./build image") : null;
            DockerDaemon.requireInstalled();
            tools.forEach(Tools::require);
            namespace = NetworkNamespace.create();
            skopeo = Skopeo.find(namespace.prefix());
            curl = Curl.find(namespace.prefix());
            if (withImage) {
                directory = TempTree.create("docker-sandbox");
                docker = DockerDaemon.start(directory, namespace.prefix(), Map.of());
                String loaded = docker.docker("load", "-i", archive.toAbsolutePath().toString());
                assertTrue(loaded.contains("Loaded image: berth:latest"), loaded);
            }
        });
    }

    /**
     * Runs {@code setup} unless the sandbox is unavailable; a {@link TestAbortedException} it throws (no root, a
     * missing tool) makes every test skipped with its reason. Surefire and Failsafe report a class aborted in
     * {@code @BeforeAll} as no tests at all (SUREFIRE-2300), so each test rethrows it instead.
     */
    public void prepare(Setup setup) {
        if (unavailable != null) {
            return;
        }
        try {
            setup.run();
        } catch (TestAbortedException e) {
            unavailable = e;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the sandbox stands, for the class's own tear-down. */
    public boolean available() {
        return unavailable == null;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (unavailable != null) {
            throw unavailable;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (docker != null) {
                docker.close();
            }
        } finally {
            try {
                if (namespace != null) {
                    namespace.close();
                }
            } finally {
                TempTree.delete(directory);
            }
        }
    }

    /** The command prefix that runs a program in the namespace. */
    public List<String> prefix() {
        return namespace.prefix();
    }

    /** The dockerd holding berth's image. */
    public DockerDaemon daemon() {
        return docker;
    }

    /** {@code docker ARGS} on the sandbox's dockerd, failing the test unless it succeeds; its output. */
    public String docker(String... args) {
        return docker.docker(args);
    }

    /** As {@link #docker(String...)}, with {@code stdin} as its input (a secret). */
    public String docker(byte[] stdin, String... args) {
        return docker.docker(stdin, args);
    }

    /** {@code docker ARGS} on the sandbox's dockerd, however it ends. */
    public ExternalCommand.Result tryDocker(String... args) {
        return docker.tryDocker(args);
    }

    /** {@code docker-compose ARGS} against the sandbox's dockerd; its output. */
    public String compose(String... args) {
        return docker.compose(args);
    }

    /** skopeo in the namespace. */
    public Skopeo skopeo() {
        return skopeo;
    }

    /** curl in the namespace. */
    public Curl curl() {
        return curl;
    }
}
