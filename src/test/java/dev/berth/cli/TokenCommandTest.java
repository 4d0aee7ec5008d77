package dev.berth.cli;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth token create|list|revoke} against a real berth: what each prints, where, and its exit status. */
class TokenCommandTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Closing open = new Closing();

    /** One in-process run: its exit status and what it printed on each stream. */
    private record Run(int status, String out, String err) {
    }

    private static Run token(String password, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> environment = password == null ? Map.of()
                : Map.of(ClientArguments.PASSWORD_VARIABLE, password);
        int status = new TokenCommand(environment, PasswordInput.of(new ByteArrayInputStream(new byte[0])),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private RunningBerth start() {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), """
                auth:
                  htpasswd: '%s'
                  rules:
                    - {repositories: ['team/*'], pull: ['*'], push: [alice]}
                private: {repositories: ['team/*']}
                """.formatted(htpasswd));
        open.add(berth);
        return berth;
    }

    @Test
    void createPrintsTheSecretAloneOnceAndListAndRevokeFollowIt() {
        RunningBerth berth = start();
        String server = "http://127.0.0.1:" + berth.port();
        Run created = token(ALICE_PASSWORD, "create", "--server", server, "--user", "alice", "--name", "ci",
                "--repositories", "team/app", "team/tools/*", "--actions", "pull,push", "--expires", "30d");
        assertEquals(0, created.status(), created.err());
        String secret = created.out().strip();
        assertEquals(secret + "\n", created.out(), "the secret alone, for --password-stdin");
        assertTrue(created.err().contains("docker login -u ci --password-stdin 127.0.0.1:" + berth.port()),
                created.err());
        assertTrue(created.err().contains("pull, push on team/app, team/tools/*"), created.err());
        assertFalse(created.err().contains(secret), "shown once");

        byte[] manifest = berth.client().withBasic("ci", secret).pushImage("team/app", "1", TestData.utf8("{}"),
                TestData.bytes(100, 1));
        assertTrue(manifest.length > 0);

        Run list = token(ALICE_PASSWORD, "list", "--server", server, "--user", "alice");
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().startsWith("NAME "), list.out());
        assertTrue(list.out().lines().skip(1).findFirst().orElse("").startsWith("ci "), list.out());
        assertFalse(list.out().contains(secret));
        assertFalse(list.out().contains("never"), "used once already: " + list.out());

        Run revoked = token(ALICE_PASSWORD, "revoke", "--server", server, "--user", "alice", "ci");
        assertEquals(0, revoked.status(), revoked.err());
        assertError(berth.client().withBasic("ci", secret).get("/v2/"), 401, "UNAUTHORIZED");
        Run again = token(ALICE_PASSWORD, "revoke", "ci", "--server", server, "--user", "alice");
        assertEquals(1, again.status());
        assertEquals("berth: no access token ci of yours\n", again.err());
        Run empty = token(ALICE_PASSWORD, "list", "--server", server, "--user", "alice");
        assertEquals("", empty.out());
        assertEquals("no access tokens\n", empty.err());
    }

    @Test
    void refusalsAreOneAndSayWhyUsageMistakesAreTwo() {
        RunningBerth berth = start();
        String server = "http://127.0.0.1:" + berth.port();
        Run beyond = token(BOB_PASSWORD, "create", "--server", server, "--user", "bob", "--name", "bobs",
                "--repositories", "team/*", "--actions", "push");
        assertEquals(1, beyond.status());
        assertEquals("", beyond.out());
        assertEquals("berth: " + server + " refused: bob may not push team/*, so no token of theirs may\n",
                beyond.err());
        Run wrongPassword = token("guess", "list", "--server", server, "--user", "bob");
        assertEquals(1, wrongPassword.status());
        assertTrue(wrongPassword.err().startsWith("berth: " + server + " refused the credentials of bob"),
                wrongPassword.err());
        Run anonymous = token(null, "list", "--server", server);
        assertEquals(1, anonymous.status());
        assertTrue(anonymous.err().contains("needs a login for this: give --user"), anonymous.err());
        Run badName = token(ALICE_PASSWORD, "create", "--server", server, "--user", "alice", "--name", "CI",
                "--repositories", "team/*", "--actions", "pull");
        assertEquals(1, badName.status());
        assertTrue(badName.err().startsWith("berth: name 'CI' is not valid"), badName.err());

        assertEquals(2, token(null, "create", "--server", server, "--name", "ci", "--actions", "pull").status());
        assertEquals(2, token(null, "revoke", "--server", server).status());
        assertEquals(2, token(null, "list").status());
        assertEquals(2, token(null, "list", "--server", "ftp://x").status());
        assertEquals(2, token(null, "forge", "--server", server).status());
        Run usage = token(null);
        assertEquals(2, usage.status());
        assertTrue(usage.err().contains("usage: berth token create --server URL"), usage.err());
    }
}
