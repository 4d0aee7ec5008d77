package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.DebianImages;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.DockerSandbox;
import dev.berth.support.ExternalCommand;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Blob;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.Poll;
import dev.berth.support.S3Server;
import dev.berth.support.S3ServerProcess;
import dev.berth.support.TestData;
import dev.berth.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code deploy/swarm/stack.yaml} deployed as its head says: {@code docker stack deploy} on a single-node swarm of the
 * real Docker engine, with the three secrets, berth's image from {@code ./build image} and an nginx image made from
 * Debian's nginx package (nothing is pulled from a registry). Then images are pushed and pulled through the published
 * port, a cold blob asked of every replica at once costs the upstream one GET (the replicas fetch for each other,
 * {@code cluster.peers-dns}), and a killed replica is replaced while pulls go on.
 *
 * <p>As in {@link DockerEngineTest}, everything runs in a network namespace of the test's own with only loopback: dockerd
 * and its containers, a {@code docker-registry} standing in for Docker Hub and an s3proxy holding the bucket (both on
 * every address there, reached by the containers through their gateway), and the clients.
 *
 * <p>What the test changes, in a second compose file given to {@code docker stack deploy} after the shipped one: the
 * bucket's endpoint and Docker Hub's URL in {@code deploy/swarm/berth.yaml} (a copy with those two values replaced), and
 * two things this machine's kernel cannot do: it has no IPVS, on which both swarm's virtual IPs and its ingress routing
 * mesh are built. So the berth service resolves to its tasks' own addresses ({@code endpoint_mode: dnsrr}, which
 * nginx's {@code server berth:5000} then balances over) and nginx publishes port 5000 on the node itself
 * ({@code mode: host}). And it runs three replicas, not five ({@link #REPLICAS}). Everything else is the shipped files
 * as they are.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwarmStackTest {
    private static final Path STACK = Path.of("deploy", "swarm", "stack.yaml");
    private static final Path BERTH_YAML = Path.of("deploy", "swarm", "berth.yaml");
    private static final String STACK_NAME = "berth";
    private static final String BERTH_SERVICE = STACK_NAME + "_berth";
    private static final String NGINX_SERVICE = STACK_NAME + "_nginx";
    /** nginx's published port, as clients reach it. */
    private static final String PUBLISHED = "127.0.0.1:5000";
    /** The bridge through which tasks reach their node, made by the test so that its address is known. */
    private static final String GATEWAY_SUBNET = "172.30.0.0/24";
    private static final String GATEWAY = "172.30.0.1";
    /**
     * Three replicas rather than the file's five: each is a JVM, and so is each of their health probes, on a test
     * machine of two cores. Three show the fleet as well.
     */
    private static final int REPLICAS = 3;
    // The JVMs start at once on a small machine, and each is healthy only after the image's HEALTHCHECK interval
    // (30 s) has passed once.
    private static final Duration CONVERGED_WITHIN = Duration.ofMinutes(4);
    private static final int COLD_BLOB_BYTES = 16 << 20;
    private static final int COLD_CLIENTS = 10;

    @TempDir
    static Path work;

    @RegisterExtension
    static final DockerSandbox sandbox = DockerSandbox.withBerthImage();
    private static DistributionRegistry upstream;
    private static S3ServerProcess s3;

    @BeforeAll
    static void deployTheStack() throws Exception {
        sandbox.prepare(() -> {
            Path nginxRootfs = DebianImages.nginx();
            upstream = DistributionRegistry.startOnEveryAddress(work.resolve("upstream"), sandbox.prefix());
            s3 = S3ServerProcess.start(sandbox.prefix(), work.resolve("s3"), "berth");

            Map<String, Object> stack = new Yaml().load(Files.readString(STACK));
            Map<String, Object> services = map(stack, "services");
            assertEquals("berth:latest", map(services, "berth").get("image"), "the image the sandbox loaded");
            sandbox.docker("network", "create", "--subnet", GATEWAY_SUBNET, "--gateway", GATEWAY,
                    "-o", "com.docker.network.bridge.name=docker_gwbridge",
                    "-o", "com.docker.network.bridge.enable_icc=false", "docker_gwbridge");
            sandbox.docker("swarm", "init", "--advertise-addr", "127.0.0.1");
            // Debian's nginx under the name the stack gives, so that the shipped file runs as it is.
            sandbox.docker("import", "--change", "CMD [\"nginx\", \"-g\", \"daemon off;\"]", nginxRootfs.toString(),
                    (String) map(services, "nginx").get("image"));

            // The secrets, as the stack's head says to make them.
            sandbox.docker(TestData.utf8(S3Server.ACCESS_KEY), "secret", "create", "berth-s3-access-key", "-");
            sandbox.docker(TestData.utf8(S3Server.SECRET_KEY), "secret", "create", "berth-s3-secret-key", "-");
            byte[] clusterKey = new byte[32];
            new SecureRandom().nextBytes(clusterKey);
            sandbox.docker(TestData.utf8(Base64.getEncoder().encodeToString(clusterKey) + "\n"), "secret", "create",
                    "berth-cluster-key", "-");

            sandbox.docker("stack", "deploy", "-c", STACK.toAbsolutePath().toString(), "-c", overrides().toString(),
                    STACK_NAME);
            awaitRunning(BERTH_SERVICE, REPLICAS);
            // With dnsrr, nginx resolves "berth" to the tasks running when it starts; started again now, it knows all.
            sandbox.docker("service", "update", "--force", "--detach=false", NGINX_SERVICE);
            awaitRunning(NGINX_SERVICE, 1);
            Poll.until(() -> curl("--fail", "http://" + PUBLISHED + "/v2/").exitCode() == 0,
                    "nginx answers on the published port", CONVERGED_WITHIN);
        });
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (sandbox.available()) {
                sandbox.tryDocker("stack", "rm", STACK_NAME);
                // The containers gone before dockerd stops, so that nothing stays behind in the namespace.
                Poll.until(() -> sandbox.tryDocker("ps", "-aq").stdoutText().isBlank(),
                        "the stack's containers gone", Duration.ofSeconds(60));
                sandbox.tryDocker("swarm", "leave", "--force");
            }
        } finally {
            if (s3 != null) {
                s3.close();
            }
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    /**
     * {@code skopeo copy} to and from port 5000: a private image pushed through nginx (its requests spread over the
     * replicas, one upload across several of them) comes back byte for byte, and a mirrored one comes from the
     * upstream.
     */
    @Test
    @Order(1)
    void pushesAndPullsThroughThePublishedPort() throws IOException {
        String app = anImage("app", 2, 1 << 20);
        String pushed = sandbox.skopeo().copyForDigest(app, "docker://" + PUBLISHED + "/team/app:1", "--format",
                "v2s2");
        assertEquals(pushed, pull("team/app:1", "app-pulled"), SwarmStackTest::logs);

        String busybox = anImage("busybox", 1, 4096);
        String upstreamDigest = sandbox.skopeo().copyForDigest(busybox,
                "docker://" + upstream.hostPort() + "/library/busybox:1", "--format", "v2s2");
        assertEquals(upstreamDigest, pull("busybox:1", "busybox-pulled"), SwarmStackTest::logs);
    }

    /**
     * {@value #COLD_CLIENTS} clients ask for a cold blob at once through nginx, which hands their requests round robin
     * to every replica: each client gets the blob, and the upstream was asked for it once, since the replicas find
     * each other through {@code tasks.berth} and fetch for each other.
     */
    @Test
    @Order(2)
    void theReplicasFetchAColdBlobFromTheUpstreamOnce() throws Exception {
        OciLayoutBuilder builder = new OciLayoutBuilder(work.resolve("cold"), 3);
        Image image = builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, 1, COLD_BLOB_BYTES);
        builder.tag("latest", image.manifest());
        sandbox.skopeo().copy("oci:" + work.resolve("cold") + ":latest",
                "docker://" + upstream.hostPort() + "/library/cold:1", "--format", "v2s2");
        Blob layer = image.layers().getFirst();
        String url = "http://" + PUBLISHED + "/v2/library/cold/blobs/" + layer.digest();

        List<String> args = new ArrayList<>(List.of("--fail", "--parallel", "--parallel-immediate", "--parallel-max",
                Integer.toString(COLD_CLIENTS)));
        for (int i = 0; i < COLD_CLIENTS; i++) {
            args.addAll(List.of("-o", work.resolve("cold-" + i).toString(), url));
        }
        Result got = curl(args.toArray(String[]::new));
        assertEquals(0, got.exitCode(), () -> got.stderr() + logs());
        for (int i = 0; i < COLD_CLIENTS; i++) {
            assertEquals(layer.digest(), sha256(work.resolve("cold-" + i)), "client " + i);
        }
        assertEquals(1, upstreamGets("library/cold", layer.digest()), SwarmStackTest::logs);
        // The replicas found each other through tasks.berth: each reports the others as they answer.
        String berthLogs = berthLogs();
        assertTrue(berthLogs.contains("; live members: " + REPLICAS + "\n"), berthLogs);
    }

    /**
     * {@code docker kill} of one replica's container: pulls through nginx go on (it passes a request that fails on the
     * dead one to the next), swarm starts a replica in its place, and pulls go on after that, the cold image's blobs
     * still fetched from the upstream once.
     */
    @Test
    @Order(3)
    void pullsGoOnWhileAKilledReplicaIsReplaced() throws Exception {
        String app = pull("team/app:1", "app-before-kill");
        String cold = pull("library/cold:1", "cold-before-kill");

        String victim = sandbox.docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + BERTH_SERVICE)
                .lines().findFirst().orElseThrow();
        sandbox.docker("kill", victim);
        assertEquals(app, pull("team/app:1", "app-after-kill"), SwarmStackTest::logs);
        assertEquals(cold, pull("library/cold:1", "cold-after-kill"), SwarmStackTest::logs);

        Poll.until(() -> taskStates().stream().anyMatch(state -> state.contains("task: non-zero exit (137)")),
                "the killed task failed; tasks: " + taskStates(), Duration.ofSeconds(30));
        awaitRunning(BERTH_SERVICE, REPLICAS);
        assertTrue(sandbox.docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + BERTH_SERVICE)
                .lines().noneMatch(victim::equals), "the killed container is not back: swarm started a new one");
        assertEquals(app, pull("team/app:1", "app-after-replacement"), SwarmStackTest::logs);
        assertEquals(cold, pull("library/cold:1", "cold-after-replacement"), SwarmStackTest::logs);

        String manifest = Files.readString(work.resolve("cold-after-replacement").resolve("manifest.json"));
        Matcher digests = Pattern.compile("sha256:[0-9a-f]{64}").matcher(manifest);
        while (digests.find()) {
            String digest = digests.group();
            assertEquals(1, upstreamGets("library/cold", digest), () -> digest + logs());
        }
    }

    /**
     * The second compose file: berth's configuration with the test's bucket and upstream, and what this kernel lacks
     * IPVS for (see the class comment).
     */
    private static Path overrides() throws IOException {
        String shipped = Files.readString(BERTH_YAML);
        String config = replaceOnce(shipped, "(?m)^(    endpoint: )\\S+", "$1http://" + GATEWAY + ":" + s3.port());
        config = replaceOnce(config, "(?m)^(      url: )https://registry-1\\.docker\\.io$",
                "$1http://" + GATEWAY + ":" + upstream.port());
        Path berthYaml = Files.writeString(work.resolve("berth.yaml"), config);
        return Files.writeString(work.resolve("stack-override.yaml"), """
                version: "3.8"
                services:
                  berth:
                    deploy:
                      replicas: %d
                      endpoint_mode: dnsrr
                  nginx:
                    ports:
                      - {target: 5000, published: 5000, mode: host}
                configs:
                  berth-yaml:
                    file: %s
                """.formatted(REPLICAS, berthYaml));
    }

    private static String replaceOnce(String text, String regex, String replacement) {
        String replaced = text.replaceFirst(regex, replacement);
        assertNotEquals(text, replaced, "deploy/swarm/berth.yaml has no line matching " + regex);
        return replaced;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> yaml, String key) {
        return (Map<String, Object>) yaml.get(key);
    }

    /** Waits until {@code count} tasks of {@code service} run, and healthy where the image has a HEALTHCHECK. */
    private static void awaitRunning(String service, int count) throws InterruptedException {
        try {
            Poll.until(() -> sandbox.docker("service", "ps", "--filter", "desired-state=running", "--format",
                    "{{.CurrentState}}", service).lines().filter(state -> state.startsWith("Running")).count() == count,
                    count + " tasks of " + service + " running", CONVERGED_WITHIN);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + logs(), e);
        }
    }

    /** Each task of the berth service as {@code docker service ps} shows it: its state and error. */
    private static List<String> taskStates() {
        return sandbox.docker("service", "ps", "--no-trunc", "--format", "{{.CurrentState}} {{.Error}}", BERTH_SERVICE)
                .lines().toList();
    }

    /** {@code skopeo copy} of {@code reference} from port 5000 into a {@code dir:}; the manifest's digest. */
    private static String pull(String reference, String into) {
        try {
            return sandbox.skopeo().copyForDigest("docker://" + PUBLISHED + "/" + reference,
                    "dir:" + work.resolve(into));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + logs(), e);
        }
    }

    /** An OCI layout holding {@code latest}, an image of {@code layers} random layers (nothing runs it). */
    private static String anImage(String name, int layers, int layerBytes) {
        Path layout = work.resolve(name);
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, name.hashCode());
        builder.tag("latest", builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, layers, layerBytes).manifest());
        return "oci:" + layout + ":latest";
    }

    /** How often the upstream was asked {@code GET /v2/<repository>/blobs/<digest>}. */
    private static long upstreamGets(String repository, String digest) {
        String path = "/v2/" + repository + "/blobs/" + digest;
        return upstream.requests().stream().filter(r -> r.method().equals("GET") && r.path().equals(path)).count();
    }

    /** curl in the namespace, no proxy, with {@code args}; whatever its exit code. */
    private static Result curl(String... args) {
        List<String> command = new ArrayList<>(sandbox.prefix());
        command.addAll(List.of(Tools.require("curl", "curl").toString(), "--silent", "--show-error", "--noproxy", "*"));
        command.addAll(List.of(args));
        return ExternalCommand.run(command, Duration.ofSeconds(120));
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return "sha256:" + HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The berth service's tasks and the logs of every container of the stack, for failure messages. */
    private static String logs() {
        StringBuilder logs = new StringBuilder("\nberth's tasks:\n")
                .append(sandbox.tryDocker("service", "ps", "--no-trunc", BERTH_SERVICE).stdoutText());
        for (String container : sandbox.tryDocker("ps", "-aq", "--filter", "label=com.docker.stack.namespace="
                + STACK_NAME).stdoutText().lines().toList()) {
            Result log = sandbox.tryDocker("logs", "--tail", "100", container);
            logs.append("\n---- ").append(container).append(":\n").append(log.stdoutText()).append(log.stderr());
        }
        return logs.toString();
    }

    /** The output of every berth container, those that ended too. */
    private static String berthLogs() {
        StringBuilder logs = new StringBuilder();
        for (String container : sandbox.docker("ps", "-aq", "--filter", "label=com.docker.swarm.service.name="
                + BERTH_SERVICE).lines().toList()) {
            Result log = sandbox.tryDocker("logs", container);
            logs.append(log.stdoutText()).append(log.stderr());
        }
        return logs.toString();
    }
}
