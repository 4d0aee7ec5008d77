package dev.berth.it;

import static dev.berth.support.TestDirectory.ALICE_PASSWORD;
import static dev.berth.support.TestDirectory.CAROL_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.ChildBerth;
import dev.berth.support.Closing;
import dev.berth.support.DockerDaemon;
import dev.berth.support.DockerSandbox;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.FreePort;
import dev.berth.support.LoggedProcess;
import dev.berth.support.Poll;
import dev.berth.support.TarBuilder;
import dev.berth.support.TestData;
import dev.berth.support.TestDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker login} and {@code docker push} with directory users (auth.ldap): berth, the LDAP server and dockerd
 * in the test's network namespace. The directory group devs may push, others only pull; the directory stopped
 * mid-run makes logins fail as unavailable, never as a wrong password, until it is back.
 */
class DirectoryAccountsDockerTest {

    @RegisterExtension
    static final DockerSandbox sandbox = DockerSandbox.namespaceOnly();
    @RegisterExtension
    final Closing open = new Closing();
    @TempDir
    Path dir;

    @Test
    void dockerLogsInAsADirectoryUserAndTheDevsGroupPushes() throws IOException, InterruptedException {
        int ldapPort = FreePort.pick();
        Path ldapLog = dir.resolve("directory.log");
        LoggedProcess directory = open.add(TestDirectory.startChild(sandbox.prefix(), ldapPort, ldapLog));
        // Remembered for a second only, so that the outage below shows without waiting long.
        String ldap = TestDirectory.authLdapYaml("ldap://127.0.0.1:" + ldapPort, dir, "cache-ttl: 1s",
                "response-timeout: 2s");
        ChildBerth berth = open.add(ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), "auth:\n" + ldap
                + TestDirectory.DEVS_PUSH_RULES));
        String host = "127.0.0.1:" + berth.port();
        DockerDaemon docker = open.add(DockerDaemon.start(dir.resolve("docker"), sandbox.prefix(),
                Map.of("insecure-registries", List.of(host))));
        try {
            byte[] rootfs = new TarBuilder().file("hello.txt", 0644, TestData.utf8("from the directory\n")).build();
            docker.docker(rootfs, "import", "-", host + "/team/app:1");

            Result wrong = login(docker, host, "alice", CAROL_PASSWORD);
            assertNotEquals(0, wrong.exitCode(), wrong::stdoutText);
            assertTrue(wrong.stderr().contains("unauthorized"), wrong.stderr());

            Result alice = login(docker, host, "alice", ALICE_PASSWORD);
            assertEquals(0, alice.exitCode(), alice.stderr());
            assertTrue(alice.stdoutText().contains("Login Succeeded"), alice.stdoutText());
            docker.docker("push", host + "/team/app:1");

            Result carol = login(docker, host, "carol", CAROL_PASSWORD);
            assertEquals(0, carol.exitCode(), carol.stderr());
            docker.docker("tag", host + "/team/app:1", host + "/team/other:1");
            Result refused = docker.tryDocker("push", host + "/team/other:1");
            assertNotEquals(0, refused.exitCode(), "carol is not in devs: " + refused.stdoutText());
            assertTrue(refused.stderr().contains("denied"), refused.stderr());
            docker.docker("rmi", host + "/team/app:1", host + "/team/other:1");
            docker.docker("pull", host + "/team/app:1");

            // The directory stops: once berth's memory of her (a second) is gone, a login is unavailable, not wrong.
            directory.close();
            Result[] down = new Result[1];
            Poll.until(() -> (down[0] = login(docker, host, "alice", ALICE_PASSWORD)).exitCode() != 0,
                    "a login refused while the directory is down", Duration.ofSeconds(60));
            assertTrue(down[0].stderr().contains("503"), down[0].stderr());
            assertFalse(down[0].stderr().contains("unauthorized"), down[0].stderr());

            open.add(TestDirectory.startChild(sandbox.prefix(), ldapPort, dir.resolve("directory-again.log")));
            Result back = login(docker, host, "alice", ALICE_PASSWORD);
            assertEquals(0, back.exitCode(), back.stderr());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nberth's log:\n" + berth.output(), e);
        }
    }

    /** {@code docker login HOST -u USER --password-stdin}, the way scripts log in. */
    private static Result login(DockerDaemon docker, String host, String user, String password) {
        return docker.tryDocker(TestData.utf8(password + "\n"), "login", host, "-u", user, "--password-stdin");
    }
}
