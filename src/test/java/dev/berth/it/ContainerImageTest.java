package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.DockerSandbox;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image that {@code ./build image} writes ({@code target/berth-image.tar}), loaded into the real Docker engine and
 * run as people run {@code registry:2}.
 *
 * <p>As in {@link DockerEngineTest}, dockerd, the containers (on the host network, which is the namespace's), a
 * {@code docker-registry} standing in for Docker Hub and the clients all run in a network namespace of the test's own
 * with only loopback, so nothing leaves the machine. The image is built once per CI run by {@code .ci/run}; where the
 * archive is missing, the test is skipped (failed on CI).
 */
class ContainerImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BERTH = "http://127.0.0.1:5000";
    // A JVM starts in the container for every probe: a short interval, and time enough for a few of them.
    private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(60);
    // The image's user: numeric, so that Kubernetes' runAsNonRoot can check it, and owner of the data volume.
    private static final String USER = "10001:10001";

    @TempDir
    static Path work;

    @RegisterExtension
    static final DockerSandbox sandbox = DockerSandbox.withBerthImage();

    /**
     * {@code docker run berth}: with no configuration it serves the shipped one (a Docker Hub mirror) on port 5000 as
     * user 10001, logs to the container's output, becomes healthy, and {@code docker stop} ends it cleanly.
     */
    @Test
    void runsWithNoConfigurationOnPort5000AndStopsCleanly() throws Exception {
        JsonNode image = JSON.readTree(sandbox.docker("image", "inspect", "berth:latest")).path(0).path("Config");
        assertEquals(USER, image.path("User").asText(), image::toString);
        assertTrue(image.path("Volumes").has("/var/lib/berth"), image::toString);
        assertTrue(image.path("ExposedPorts").has("5000/tcp"), image::toString);
        assertEquals("[\"CMD\",\"berth\",\"health\"]", image.path("Healthcheck").path("Test").toString());

        run("berth-default", "-v", "berth-default:/var/lib/berth");
        try {
            awaitServing("berth-default");
            JsonNode health = JSON.readTree(sandbox.curl().getText(BERTH + "/observe/health"));
            assertEquals("UP", health.path("status").asText(), health::toString);
            awaitHealthy("berth-default");
            String log = sandbox.docker("logs", "berth-default");
            assertTrue(log.contains("berth listening on 0.0.0.0:5000"), log);
            assertTrue(log.contains("data in /var/lib/berth"), log);
            assertTrue(log.contains("mirroring docker.io from https://registry-1.docker.io (default)"), log);
            // berth wrote its data directory on the volume as the image's user.
            Path volume = volume("berth-default");
            assertEquals(10001, Files.getAttribute(volume.resolve(".tmp"), "unix:uid"));
            stopCleanly("berth-default");
        } finally {
            remove("berth-default");
        }
    }

    /**
     * {@code docker run -v CONFIG -v DATA berth}: berth mirrors the upstream and takes a push; a new container on the
     * same volume, with the upstream stopped, still serves both images.
     */
    @Test
    void keepsMirroredAndPushedImagesOnItsVolumeAcrossContainers() throws Exception {
        String layout = anImage(work.resolve("busybox"));
        DistributionRegistry upstream = DistributionRegistry.start(work.resolve("upstream"), sandbox.prefix());
        String upstreamDigest;
        String mirrored;
        String pushed;
        Path config = configDirectory(upstream);
        List<String> volumes = List.of("-v", config + ":/etc/berth:ro", "-v", "berth-data:/var/lib/berth");
        try {
            upstreamDigest = sandbox.skopeo().copyForDigest(layout,
                    "docker://" + upstream.hostPort() + "/library/busybox:latest", "--format", "v2s2");
            run("berth-1", volumes.toArray(String[]::new));
            try {
                awaitServing("berth-1");
                mirrored = pull("busybox:latest", "mirrored-1");
                assertEquals(upstreamDigest, mirrored, "the upstream's manifest, byte for byte");
                pushed = sandbox.skopeo().copyForDigest(layout, "docker://127.0.0.1:5000/team/app:1", "--format",
                        "v2s2");
                assertEquals(pushed, pull("team/app:1", "pushed-1"));
                stopCleanly("berth-1");
            } finally {
                remove("berth-1");
            }
        } finally {
            upstream.close();
        }

        run("berth-2", volumes.toArray(String[]::new));
        try {
            awaitServing("berth-2");
            assertEquals(mirrored, pull("busybox:latest", "mirrored-2"), "served from the volume, stale");
            assertEquals(pushed, pull("team/app:1", "pushed-2"));
            awaitHealthy("berth-2");
            stopCleanly("berth-2");
        } finally {
            remove("berth-2");
        }
    }

    /** Starts the image as {@code name} on the namespace's network, probing its health every second. */
    private static void run(String name, String... options) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "host",
                "--health-interval", "1s"));
        args.addAll(List.of(options));
        args.add("berth:latest");
        sandbox.docker(args.toArray(String[]::new));
    }

    private static void awaitServing(String name) throws InterruptedException {
        Poll.until(() -> sandbox.curl().get(BERTH + "/v2/").exitCode() == 0,
                "GET /v2/ answered 200; " + name + "'s log:\n" + sandbox.tryDocker("logs", name).stdoutText(),
                HEALTHY_WITHIN);
    }

    /** Waits until Docker reports the container healthy, as its HEALTHCHECK ({@code berth health}) found it. */
    private static void awaitHealthy(String name) throws InterruptedException {
        Poll.until(() -> state(name).path("Health").path("Status").asText().equals("healthy"),
                name + " healthy; its state: " + state(name), HEALTHY_WITHIN);
    }

    /**
     * {@code docker stop}: SIGTERM to berth, which is the container's PID 1 (the entry point execs the JVM). The JVM
     * runs berth's shutdown hook and exits with 143 (128 + SIGTERM), as under systemd; Docker's default 10 s would
     * end in SIGKILL and 137 instead.
     */
    private static void stopCleanly(String name) {
        sandbox.docker("stop", name);
        JsonNode state = state(name);
        assertEquals(143, state.path("ExitCode").asInt(), () -> state + "\n" + sandbox.tryDocker("logs", name));
        assertEquals(false, state.path("OOMKilled").asBoolean(), state::toString);
    }

    /** Removes the container, stopped or not: the test's cleanup, whatever happened. */
    private static void remove(String name) {
        sandbox.tryDocker("rm", "--force", name);
    }

    private static JsonNode state(String name) {
        try {
            return JSON.readTree(sandbox.docker("inspect", name)).path(0).path("State");
        } catch (IOException e) {
            throw new AssertionError("docker inspect " + name, e);
        }
    }

    /** Where dockerd keeps the named volume {@code name}. */
    private static Path volume(String name) {
        return Path.of(sandbox.docker("volume", "inspect", "--format", "{{.Mountpoint}}", name).strip());
    }

    /**
     * A directory to mount as /etc/berth holding berth.yaml: the upstream as the default registry, team/* private. It
     * is readable by all, as berth in the container is not root.
     */
    private static Path configDirectory(DistributionRegistry upstream) throws IOException {
        Path dir = Files.createDirectories(work.resolve("etc-berth"));
        Files.writeString(dir.resolve("berth.yaml"), """
                server: {host: 0.0.0.0, port: 5000}
                storage: {root: /var/lib/berth}
                mirror:
                  upstreams:
                    - {registry: docker.io, url: '%s', default: true}
                private: {repositories: ['team/*']}
                """.formatted(upstream.url()));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("berth.yaml"), PosixFilePermissions.fromString("rw-r--r--"));
        return dir;
    }

    /** Copies {@code reference} from berth into a skopeo {@code dir:} (manifest kept byte for byte); its digest. */
    private static String pull(String reference, String into) {
        return sandbox.skopeo().copyForDigest("docker://127.0.0.1:5000/" + reference, "dir:" + work.resolve(into));
    }

    /** An OCI layout holding {@code latest}, an image of one small random layer (nothing runs it). */
    private static String anImage(Path layout) {
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, 1);
        builder.tag("latest", builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, 1, 4096).manifest());
        return "oci:" + layout + ":latest";
    }
}
