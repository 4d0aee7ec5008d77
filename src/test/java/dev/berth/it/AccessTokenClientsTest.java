package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.PasswordInput;
import dev.berth.cli.TokenCommand;
import dev.berth.cli.WarmCommand;
import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.S3Server;
import dev.berth.support.Skopeo;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CI robot's access token with a real client: made with {@code berth token create}, skopeo pushes and pulls with it
 * within its scopes and nowhere else, and once it is revoked skopeo's next request is refused; on a fleet sharing a
 * bucket, a loop pulling from one instance stops within seconds of the revocation on another.
 */
class AccessTokenClientsTest {
    private static final String PASSWORD = Htpasswd.ALICE_PASSWORD;
    private static final String RULES = """
            auth:
              htpasswd: '%s'
              rules:
                - {repositories: ['team/*'], pull: [alice], push: [alice]}
                - {repositories: ['other/*'], pull: [alice], push: [alice]}
            private: {repositories: ['team/*', 'other/*']}
            """;

    @TempDir
    Path work;

    /** {@code berth token ARGS...} as alice, in process; what it printed on standard output. */
    private static String token(String server, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> line = new ArrayList<>(List.of(args));
        line.addAll(List.of("--server", server, "--user", "alice"));
        int status = new TokenCommand(Map.of(WarmCommand.PASSWORD_VARIABLE, PASSWORD),
                PasswordInput.of(new ByteArrayInputStream(new byte[0])),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(line);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private Path layout(long seed) {
        Path input = work.resolve("input-" + seed);
        OciLayoutBuilder layout = new OciLayoutBuilder(input, seed);
        layout.tag("1", layout.image("amd64", 2, 5000).manifest());
        return input;
    }

    @Test
    void skopeoPushesAndPullsWithATokenWithinItsScopesUntilItIsRevoked() throws Exception {
        Path htpasswd = Htpasswd.aliceAndBob(work.resolve("htpasswd"));
        Path input = layout(3);
        try (RunningBerth berth = RunningBerth.start(work.resolve("data"), RULES.formatted(htpasswd))) {
            String server = "http://127.0.0.1:" + berth.port();
            String secret = token(server, "create", "--name", "ci-robot", "--repositories", "team/*",
                    "--actions", "pull,push", "--expires", "1d");
            Skopeo ci = Skopeo.find().loggedInAs("ci-robot", secret);
            String app = "docker://127.0.0.1:" + berth.port() + "/team/app:1";
            ci.copy("oci:" + input + ":1", app, "--preserve-digests");
            Path output = work.resolve("output");
            ci.copy(app, "oci:" + output + ":1");
            assertTrue(Files.exists(output.resolve("index.json")));

            // alice may push other/*, the token may not: skopeo is refused there.
            String other = "docker://127.0.0.1:" + berth.port() + "/other/app:1";
            ExternalCommand.Result outside = ci.run(List.of("copy", "--dest-tls-verify=false", "--dest-creds=ci-robot:"
                    + secret, "oci:" + input + ":1", other));
            assertNotEquals(0, outside.exitCode());
            assertTrue(outside.stderr().contains("other/app: 403 (Forbidden)"),
                    outside.stderr());

            token(server, "revoke", "ci-robot");
            ExternalCommand.Result revoked = ci.tryInspect(app);
            assertNotEquals(0, revoked.exitCode());
            assertTrue(revoked.stderr().contains("authentication required"), revoked.stderr());
            // The image stays: only the token ended.
            assertEquals(0, Skopeo.find().loggedInAs("alice", PASSWORD).tryInspect(app).exitCode());
        }
    }

    @Test
    void aRevocationOnOneInstanceStopsAPullLoopOnAnotherWithinSeconds() throws Exception {
        Path htpasswd = Htpasswd.aliceAndBob(work.resolve("htpasswd"));
        Path key = Files.writeString(work.resolve("cluster.key"),
                Base64.getEncoder().encodeToString(TestData.bytes(32, 8)));
        Path input = layout(4);
        S3Server s3 = S3Server.start(work.resolve("s3"));
        try {
            s3.createBucket("berth");
            List<ChildBerth> fleet = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    fleet.add(ChildBerth.startWithConfig("""
                            server: {host: 127.0.0.1, port: 0}
                            storage:
                              root: '%s'
                              s3: {endpoint: '%s', bucket: berth, access-key: %s, secret-key: %s}
                            cluster: {secret-file: '%s'}
                            """.formatted(work.resolve("local-" + i), s3.endpoint(), S3Server.ACCESS_KEY,
                            S3Server.SECRET_KEY, key) + RULES.formatted(htpasswd)));
                }
                String one = "http://127.0.0.1:" + fleet.get(0).port();
                String secret = token(one, "create", "--name", "ci-loop", "--repositories", "team/*",
                        "--actions", "pull,push");
                Skopeo ci = Skopeo.find().loggedInAs("ci-loop", secret);
                String onOther = "docker://127.0.0.1:" + fleet.get(1).port() + "/team/loop:1";
                ci.copy("oci:" + input + ":1", onOther, "--preserve-digests");
                assertEquals(0, ci.tryInspect(onOther).exitCode(), "the other instance knows the token");

                token(one, "revoke", "ci-loop");
                Instant revoked = Instant.now();
                Poll.until(() -> ci.tryInspect(onOther).exitCode() != 0, "the other instance to refuse the token",
                        Duration.ofSeconds(20));
                Duration took = Duration.between(revoked, Instant.now());
                assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "refused after " + took);
                ExternalCommand.Result refused = ci.tryInspect(onOther);
                assertTrue(refused.stderr().contains("authentication required"), refused.stderr());
            } finally {
                fleet.forEach(ChildBerth::close);
            }
        } finally {
            s3.close();
        }
    }
}
