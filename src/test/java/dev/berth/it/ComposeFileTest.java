package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.Curl;
import dev.berth.support.DockerDaemon;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.NetworkNamespace;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.Poll;
import dev.berth.support.Skopeo;
import dev.berth.support.Tools;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * {@code deploy/compose.yaml} run as its head says, with Debian 12's {@code docker-compose} (1.29) against the real
 * Docker engine and berth's image from {@code ./build image}: up, push and pull through port 5000, stop, up again on
 * the same volume, down.
 *
 * <p>As in {@link ContainerImageTest}, dockerd, the container and the clients run in a network namespace of the test's
 * own with only loopback.
 */
class ComposeFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ARCHIVE = Path.of("target", "berth-image.tar");
    private static final Path COMPOSE = Path.of("deploy", "compose.yaml");
    private static final String BERTH = "127.0.0.1:5000";
    // The project is named after the file's directory, as when a user runs the file's own command.
    private static final String VOLUME = "deploy_berth-data";
    private static final Duration SERVING_WITHIN = Duration.ofSeconds(60);

    @TempDir
    static Path work;

    private static NetworkNamespace namespace;
    private static DockerDaemon docker;
    private static Curl curl;
    private static Skopeo skopeo;
    private static TestAbortedException unavailable;

    @BeforeAll
    static void loadTheImage() {
        try {
            Path archive = Tools.requireFile(ARCHIVE, "./build image");
            DockerDaemon.requireInstalled();
            Tools.require("docker-compose", "docker-compose");
            namespace = NetworkNamespace.create();
            curl = Curl.find(namespace.prefix());
            skopeo = Skopeo.find(namespace.prefix());
            docker = DockerDaemon.start(work.resolve("docker"), namespace.prefix(), Map.of());
            String loaded = docker.docker("load", "-i", archive.toAbsolutePath().toString());
            assertTrue(loaded.contains("Loaded image: berth:latest"), loaded);
        } catch (TestAbortedException e) {
            // Rethrown by each test, which then shows as skipped with the reason (see DockerEngineTest).
            unavailable = e;
        }
    }

    @BeforeEach
    void skipWhereUnavailable() {
        if (unavailable != null) {
            throw unavailable;
        }
    }

    @AfterAll
    static void tearDown() {
        try {
            if (docker != null) {
                docker.tryDocker("rm", "--force", container());
                docker.close();
            }
        } finally {
            if (namespace != null) {
                namespace.close();
            }
        }
    }

    /**
     * {@code docker-compose -f deploy/compose.yaml up -d}: berth serves the shipped configuration on port 5000 and takes
     * a push; {@code stop} ends it cleanly (143, within the file's grace period); {@code up} again serves the image
     * from the volume; {@code down} removes the container and keeps the volume, {@code down -v} removes that too.
     */
    @Test
    void upServesPushesAndPullsAndKeepsThemOnItsVolumeUntilDown() throws Exception {
        String file = COMPOSE.toAbsolutePath().toString();
        docker.compose("-f", file, "up", "-d");
        awaitServing();
        String log = log();
        assertTrue(log.contains("no /etc/berth/berth.yaml: using the shipped /usr/share/berth/berth.yaml"), log);

        Path layout = work.resolve("app");
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, 1);
        builder.tag("latest", builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, 2, 64 << 10).manifest());
        String pushed = skopeo.copyForDigest("oci:" + layout + ":latest", "docker://" + BERTH + "/team/app:1",
                "--format", "v2s2");
        assertEquals(pushed, pull("pulled-1"));

        docker.compose("-f", file, "stop");
        JsonNode state = state();
        assertEquals(143, state.path("ExitCode").asInt(), state::toString);

        docker.compose("-f", file, "up", "-d");
        awaitServing();
        assertEquals(pushed, pull("pulled-2"), "served from the volume");

        docker.compose("-f", file, "down");
        assertTrue(docker.docker("ps", "-aq").isBlank(), "down removes the container");
        assertTrue(volumes().contains(VOLUME), "down keeps the volume");
        docker.compose("-f", file, "down", "-v");
        assertFalse(volumes().contains(VOLUME), "down -v removes the volume");
    }

    /** The file's one container, by the label compose gives it. */
    private static String container() {
        return docker.docker("ps", "-aq", "--filter", "label=com.docker.compose.service=berth").strip();
    }

    private static List<String> volumes() {
        return docker.docker("volume", "ls", "--format", "{{.Name}}").lines().toList();
    }

    private static JsonNode state() throws IOException {
        return JSON.readTree(docker.docker("inspect", container())).path(0).path("State");
    }

    private static void awaitServing() throws InterruptedException {
        try {
            Poll.until(() -> curl.get("http://" + BERTH + "/v2/").exitCode() == 0, "GET /v2/ answered 200",
                    SERVING_WITHIN);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the log:\n" + log(), e);
        }
    }

    /** The container's output: berth logs to stdout, the entry point speaks on stderr. */
    private static String log() {
        Result log = docker.tryDocker("logs", container());
        return log.stdoutText() + log.stderr();
    }

    /** {@code team/app:1} copied from port 5000 into a {@code dir:}; the manifest's digest. */
    private static String pull(String into) {
        return skopeo.copyForDigest("docker://" + BERTH + "/team/app:1", "dir:" + work.resolve(into));
    }
}
