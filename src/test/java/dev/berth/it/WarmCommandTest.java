package dev.berth.it;

import static dev.berth.support.OciLayoutAssertions.assertSameBlobs;
import static dev.berth.support.OciLayoutAssertions.refDigest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.PasswordInput;
import dev.berth.cli.WarmCommand;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.OciLayoutBuilder.Index;
import dev.berth.support.RunningBerth;
import dev.berth.support.SeededRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code berth warm} against a berth mirroring Debian's docker-registry as docker.io (default) and as ghcr.io: a
 * multi-arch image and a single one warmed, the upstream stopped, and every platform still pulled with skopeo; and
 * the exit statuses and messages of what goes wrong.
 */
class WarmCommandTest {
    private static final String PASSWORD = "correct horse battery staple";

    private static Index multiArch;
    private static Image app;
    @RegisterExtension
    static final SeededRegistry upstream = new SeededRegistry(seed -> {
        OciLayoutBuilder layout = new OciLayoutBuilder(seed, 11);
        multiArch = layout.index(layout.image("amd64", 2, 300_000), layout.image("arm64", 2, 300_000));
        layout.tag("multi", multiArch.manifest());
        app = layout.image("amd64", 1, 100_000);
        layout.tag("app", app.manifest());
    }).push("multi", "library/busybox:1.36").push("app", "org/app:2");

    @TempDir
    Path work;
    private RunningBerth berth;

    @BeforeEach
    void start() throws IOException {
        Path htpasswd = work.resolve("htpasswd");
        Files.writeString(htpasswd, Htpasswd.line("alice", PASSWORD));
        berth = RunningBerth.start(work.resolve("data"), """
                mirror:
                  upstreams:
                    - {registry: docker.io, url: '%s', default: true}
                    - {registry: ghcr.io, url: '%s'}
                auth: {htpasswd: '%s'}
                """.formatted(upstream.registry().url(), upstream.registry().url(), htpasswd));
    }

    @AfterEach
    void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    /** What a run printed and how it ended. */
    private record Run(int status, String out, String err) {
    }

    private Run warm(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // Standard input is empty: a password the command would ask for is not there.
        PasswordInput noInput = PasswordInput.of(new java.io.ByteArrayInputStream(new byte[0]));
        int status = new WarmCommand(environment, noInput, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false).run(Arrays.asList(args));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String server() {
        return "http://127.0.0.1:" + berth.port();
    }

    @Test
    void everyPlatformOfAWarmedImagePullsWithTheUpstreamStopped() throws IOException {
        Path list = work.resolve("rollout.txt");
        Files.writeString(list, "# the rollout\n\nghcr.io/org/app:2\n");
        Run run = warm(Map.of(WarmCommand.PASSWORD_VARIABLE, PASSWORD), "--server", server(), "--user", "alice",
                "busybox:1.36", "--file", list.toString());

        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("busybox:1.36: cached " + multiArch.manifest().digest()
                + " (6 layers, "), run.out());
        assertTrue(run.out().contains("; linux/amd64, linux/arm64)"), run.out());
        assertTrue(run.out().contains("ghcr.io/org/app:2: cached " + app.manifest().digest()), run.out());
        assertTrue(run.out().contains("\ncached 2 images (8 layers, "), run.out());
        assertTrue(!run.out().contains(PASSWORD) && !run.err().contains(PASSWORD), "the password is never printed");

        upstream.registry().close();
        Path out = work.resolve("pulled");
        upstream.skopeo().copy("docker://127.0.0.1:" + berth.port() + "/library/busybox:1.36", "oci:" + out + ":multi",
                "--all", "--preserve-digests", "--src-tls-verify=false");
        assertEquals(multiArch.manifest().digest(), refDigest(out, "multi"));
        for (Image platform : multiArch.images()) {
            assertSameBlobs(upstream.layout(), out, platform);
        }
        upstream.skopeo().copy("docker://127.0.0.1:" + berth.port() + "/ghcr.io/org/app:2", "oci:" + out + ":app",
                "--preserve-digests", "--src-tls-verify=false");
        assertSameBlobs(upstream.layout(), out, app);
    }

    @Test
    void whatGoesWrongIsSaidAndExitsNonZero() throws IOException {
        Map<String, String> alice = Map.of(WarmCommand.PASSWORD_VARIABLE, PASSWORD);
        Run unknown = warm(alice, "--server", server(), "--user", "alice", "busybox:9.99");
        assertEquals(1, unknown.status(), unknown.toString());
        assertTrue(unknown.out().contains("busybox:9.99: failed: manifest 9.99 is not in library/busybox on"
                + " docker.io"), unknown.toString());
        assertTrue(unknown.err().contains("1 of 1 image not cached"), unknown.toString());

        Run noRegistry = warm(alice, "--server", server(), "--user", "alice", "quay.io/org/app:1");
        assertEquals(1, noRegistry.status());
        assertEquals("berth: image quay.io/org/app:1: berth mirrors no registry named quay.io; it mirrors"
                + " docker.io, ghcr.io\n", noRegistry.err());

        Run wrong = warm(Map.of(WarmCommand.PASSWORD_VARIABLE, "not it"), "--server", server(), "--user", "alice",
                "busybox:1.36");
        assertEquals(1, wrong.status());
        assertEquals("berth: " + server() + " refused the credentials of alice: wrong user name or password\n",
                wrong.err());

        Run anonymous = warm(Map.of(), "--server", server(), "busybox:1.36");
        assertEquals(1, anonymous.status());
        assertTrue(anonymous.err().contains("needs a login for this: give --user"), anonymous.err());

        Run noPassword = warm(Map.of(), "--server", server(), "--user", "alice", "busybox:1.36");
        assertEquals(1, noPassword.status());
        assertEquals("berth: no password on standard input\n", noPassword.err());

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run unreachable = warm(alice, "--server", "http://127.0.0.1:" + closedPort, "--user", "alice", "busybox");
        assertEquals(1, unreachable.status());
        assertEquals("berth: cannot reach berth at http://127.0.0.1:" + closedPort + ": connection refused\n",
                unreachable.err());

        assertEquals(2, warm(Map.of(), "busybox").status(), "no --server");
        assertEquals(2, warm(Map.of(), "--server", server()).status(), "no image");
        assertEquals(2, warm(Map.of(), "--server", "berth.lan:5000", "busybox").status(), "not a URL");
    }
}
