package dev.berth.it;

import static dev.berth.support.TestDirectory.ALICE_PASSWORD;
import static dev.berth.support.TestDirectory.CAROL_PASSWORD;
import static dev.berth.support.TestDirectory.userDn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Closing;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.MutableClock;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.RunningBerth;
import dev.berth.support.Skopeo;
import dev.berth.support.TestDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo with directory users (auth.ldap) against a real LDAP server: a push that the directory group {@code devs}
 * grants, a pull for everyone else, one bind for a whole copy, and the directory stopped mid-run: 503 until it is
 * back, never a wrong password.
 */
class DirectoryAccountsSkopeoTest {

    @TempDir
    Path work;
    @RegisterExtension
    final Closing open = new Closing();

    @Test
    void aDirectoryGroupPushesOthersPullAndAnOutageIsNoWrongPassword() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = open.add(RunningBerth.start(work.resolve("data"),
                "auth:\n" + directory.authLdapYaml(work, "cache-ttl: 1m") + TestDirectory.DEVS_PUSH_RULES, clock));
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 7);
        layout.tag("1", layout.image("amd64", 1, 1000).manifest());
        String ref = "docker://127.0.0.1:" + berth.port() + "/team/app:1";
        Skopeo alice = Skopeo.find().loggedInAs("alice", ALICE_PASSWORD);
        Skopeo carol = Skopeo.find().loggedInAs("carol", CAROL_PASSWORD);

        alice.copy("oci:" + input + ":1", ref, "--preserve-digests");
        assertEquals(1, directory.binds(userDn("alice")), "one bind for the whole copy, tokens and blobs alike");
        byte[] manifest = carol.inspectRaw(ref);
        assertArrayEquals(alice.inspectRaw(ref), manifest);

        Result refused = carol.tryCopy("oci:" + input + ":1", "docker://127.0.0.1:" + berth.port() + "/team/other:1");
        assertNotEquals(0, refused.exitCode(), "carol is not in devs");
        assertTrue(refused.stderr().toLowerCase().contains("denied") || refused.stderr().contains("unauthorized"),
                refused.stderr());
        Result wrong = Skopeo.find().loggedInAs("alice", CAROL_PASSWORD).tryInspect(ref);
        assertNotEquals(0, wrong.exitCode());
        assertTrue(wrong.stderr().contains("401") || wrong.stderr().toLowerCase().contains("unauthorized"),
                wrong.stderr());

        // The directory stops mid-run: what berth remembers serves for cache-ttl, then clients hear 503.
        directory.stop();
        assertArrayEquals(manifest, alice.inspectRaw(ref), "remembered");
        clock.advance(Duration.ofMinutes(2));
        Result down = alice.tryInspect(ref);
        assertNotEquals(0, down.exitCode());
        // skopeo shows the token endpoint's status, not its message (which DirectoryLoginTest checks).
        assertTrue(down.stderr().contains("503 (Service Unavailable)"), down.stderr());
        assertTrue(!down.stderr().contains("401") && !down.stderr().toLowerCase().contains("unauthorized"),
                down.stderr());

        directory.restart();
        assertArrayEquals(manifest, alice.inspectRaw(ref), "back with the directory");
    }
}
