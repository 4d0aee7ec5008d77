package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.DockerSandbox;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.Poll;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

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
    private static final Path COMPOSE = Path.of("deploy", "compose.yaml");
    private static final String BERTH = "127.0.0.1:5000";
    // The project is named after the file's directory, as when a user runs the file's own command.
    private static final String VOLUME = "deploy_berth-data";
    private static final Duration SERVING_WITHIN = Duration.ofSeconds(60);

    @TempDir
    static Path work;

    @RegisterExtension
    static final DockerSandbox sandbox = DockerSandbox.withBerthImage().requiring("docker-compose", "docker-compose");

    @AfterAll
    static void removeTheContainer() {
        if (sandbox.available()) {
            sandbox.tryDocker("rm", "--force", container());
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
        sandbox.compose("-f", file, "up", "-d");
        awaitServing();
        String log = log();
        assertTrue(log.contains("no /etc/berth/berth.yaml: using the shipped /usr/share/berth/berth.yaml"), log);

        Path layout = work.resolve("app");
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, 1);
        builder.tag("latest", builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, 2, 64 << 10).manifest());
        String pushed = sandbox.skopeo().copyForDigest("oci:" + layout + ":latest", "docker://" + BERTH + "/team/app:1",
                "--format", "v2s2");
        assertEquals(pushed, pull("pulled-1"));

        sandbox.compose("-f", file, "stop");
        JsonNode state = state();
        assertEquals(143, state.path("ExitCode").asInt(), state::toString);

        sandbox.compose("-f", file, "up", "-d");
        awaitServing();
        assertEquals(pushed, pull("pulled-2"), "served from the volume");

        sandbox.compose("-f", file, "down");
        assertTrue(sandbox.docker("ps", "-aq").isBlank(), "down removes the container");
        assertTrue(volumes().contains(VOLUME), "down keeps the volume");
        sandbox.compose("-f", file, "down", "-v");
        assertFalse(volumes().contains(VOLUME), "down -v removes the volume");
    }

    /** The file's one container, by the label compose gives it. */
    private static String container() {
        return sandbox.docker("ps", "-aq", "--filter", "label=com.docker.compose.service=berth").strip();
    }

    private static List<String> volumes() {
        return sandbox.docker("volume", "ls", "--format", "{{.Name}}").lines().toList();
    }

    private static JsonNode state() throws IOException {
        return JSON.readTree(sandbox.docker("inspect", container())).path(0).path("State");
    }

    private static void awaitServing() throws InterruptedException {
        try {
            Poll.until(() -> sandbox.curl().get("http://" + BERTH + "/v2/").exitCode() == 0, "GET /v2/ answered 200",
                    SERVING_WITHIN);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the log:\n" + log(), e);
        }
    }

    /** The container's output: berth logs to stdout, the entry point speaks on stderr. */
    private static String log() {
        Result log = sandbox.tryDocker("logs", container());
        return log.stdoutText() + log.stderr();
    }

    /** {@code team/app:1} copied from port 5000 into a {@code dir:}; the manifest's digest. */
    private static String pull(String into) {
        return sandbox.skopeo().copyForDigest("docker://" + BERTH + "/team/app:1", "dir:" + work.resolve(into));
    }
}
