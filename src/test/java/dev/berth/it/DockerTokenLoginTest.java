package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.cli.WarmCommand;
import dev.berth.support.ChildBerth;
import dev.berth.support.DockerDaemon;
import dev.berth.support.DockerSandbox;
import dev.berth.support.ExternalCommand;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.TarBuilder;
import dev.berth.support.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker engine with an access token as CI uses one: {@code berth token create} (the real command line, in a JVM
 * of its own) prints the secret, {@code docker login -u NAME --password-stdin} takes it, docker pulls and pushes
 * within the token's repositories and not beyond, and after {@code berth token revoke} the same login is refused.
 * Everything runs in a network namespace with only loopback up.
 */
class DockerTokenLoginTest {
    private static final String PASSWORD = Htpasswd.ALICE_PASSWORD;

    @RegisterExtension
    static final DockerSandbox sandbox = DockerSandbox.namespaceOnly();

    @TempDir
    Path dir;

    /** {@code berth token ARGS... --server URL --user alice} in a JVM in the namespace. */
    private static Result token(int port, String... args) {
        List<String> line = new ArrayList<>(List.of("token"));
        line.addAll(List.of(args));
        line.addAll(List.of("--server", "http://127.0.0.1:" + port, "--user", "alice"));
        List<String> command = new ArrayList<>(sandbox.prefix());
        command.addAll(ChildBerth.mainCommand(List.of(), line));
        return ExternalCommand.run(command, Map.of(WarmCommand.PASSWORD_VARIABLE, PASSWORD), new byte[0],
                Duration.ofSeconds(60));
    }

    @Test
    void dockerLogsInWithATokenPullsAndPushesWithinItsScopesAndIsRefusedOnceItIsRevoked() throws IOException {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        String yaml = """
                auth:
                  htpasswd: '%s'
                  rules:
                    - {repositories: ['team/*', 'other/*'], pull: [alice], push: [alice]}
                private: {repositories: ['team/*', 'other/*']}
                """.formatted(htpasswd);
        Path layout = dir.resolve("image");
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, 5);
        builder.tag("1", builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, new TarBuilder().directory("bin")
                .file("bin/app", 0755, TestData.utf8("#!/bin/sh\necho app\n")).build()).manifest());
        try (ChildBerth berth = ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), yaml)) {
            String host = "127.0.0.1:" + berth.port();
            sandbox.skopeo().loggedInAs("alice", PASSWORD).copy("oci:" + layout + ":1",
                    "docker://" + host + "/team/app:1", "--format", "v2s2");

            Result created = token(berth.port(), "create", "--name", "ci-docker", "--repositories", "team/*",
                    "--actions", "pull,push", "--expires", "7d");
            assertEquals(0, created.exitCode(), created.stderr());
            byte[] secret = created.stdout();
            try (DockerDaemon docker = DockerDaemon.start(dir.resolve("docker"), sandbox.prefix(),
                    Map.of("insecure-registries", List.of(host)))) {
                Result login = docker.tryDocker(secret, "login", host, "-u", "ci-docker", "--password-stdin");
                assertEquals(0, login.exitCode(), login.stderr());
                assertTrue(login.stdoutText().contains("Login Succeeded"), login.stdoutText());

                docker.docker("pull", host + "/team/app:1");
                docker.docker("tag", host + "/team/app:1", host + "/team/copy:1");
                docker.docker("push", host + "/team/copy:1");
                // alice may push other/*; her token names team/* only.
                docker.docker("tag", host + "/team/app:1", host + "/other/app:1");
                Result outside = docker.tryDocker("push", host + "/other/app:1");
                assertNotEquals(0, outside.exitCode(), outside.stdoutText());
                assertTrue(outside.stderr().contains("denied"), outside.stderr());

                Result revoked = token(berth.port(), "revoke", "ci-docker");
                assertEquals(0, revoked.exitCode(), revoked.stderr());
                Result again = docker.tryDocker(secret, "login", host, "-u", "ci-docker", "--password-stdin");
                assertNotEquals(0, again.exitCode(), again.stdoutText());
                assertTrue(again.stderr().contains("unauthorized"), again.stderr());
                docker.docker("rmi", host + "/team/app:1");
                Result pull = docker.tryDocker("pull", host + "/team/app:1");
                assertNotEquals(0, pull.exitCode(), pull.stdoutText());
                assertTrue(pull.stderr().contains("unauthorized"), pull.stderr());
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nberth's log:\n" + berth.output(), e);
            }
        }
    }
}
