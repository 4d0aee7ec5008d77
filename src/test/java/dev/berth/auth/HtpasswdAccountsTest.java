package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Htpasswd;
import dev.berth.support.LogCapture;
import dev.berth.support.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtpasswdAccountsTest {
    private static final String ALICE = "correct horse";
    private static final String BOB = "s3cret ünïcode";

    @TempDir
    Path dir;
    private Path file;
    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final List<String> secrets = new ArrayList<>(List.of(ALICE, BOB));
    private LogCapture log;

    @BeforeEach
    void setUp() {
        file = dir.resolve("htpasswd");
        log = LogCapture.of("dev.berth.auth");
    }

    @AfterEach
    void noSecretInTheLog() throws Exception {
        log.close();
        if (Files.exists(file)) {
            // Every hash field of the file, as well as every password used.
            HtpasswdFile.parse(Files.readString(file)).entries().stream().map(HtpasswdFile.Entry::hash)
                    .filter(hash -> hash.length() > 3).forEach(secrets::add);
        }
        for (String message : log.messages()) {
            for (String secret : secrets) {
                assertFalse(message.contains(secret), "logged a secret: " + message);
            }
        }
    }

    @Test
    void entriesMadeByHtpasswdVerify() {
        Htpasswd.run("-c", "-B", "-b", file.toString(), "alice", ALICE);
        Htpasswd.run("-B", "-C", "6", "-b", file.toString(), "bob", BOB);
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        assertTrue(accounts.verify("alice", ALICE));
        assertTrue(accounts.verify("bob", BOB));
        assertFalse(accounts.verify("alice", "correct horse "));
        assertFalse(accounts.verify("alice", BOB));
        assertFalse(accounts.verify("Alice", ALICE));
        assertFalse(accounts.verify("carol", ALICE));
        assertFalse(accounts.verify("alice", ""));
        assertEquals(List.of("auth.htpasswd: read 2 accounts from " + file), log.messages(Level.INFO));
    }

    @Test
    void passwordsLongerThanBcryptReadsCountAsApacheCountsThem() {
        String longPassword = "é".repeat(40) + "x".repeat(30);
        Htpasswd.run("-c", "-B", "-b", file.toString(), "alice", longPassword);
        secrets.add(longPassword);
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        assertTrue(accounts.verify("alice", longPassword));
        // Apache's bcrypt reads the first 72 bytes (36 é), so a different tail does not matter, a shorter head does.
        assertTrue(accounts.verify("alice", "é".repeat(36) + "y"));
        assertFalse(accounts.verify("alice", "é".repeat(35)));
    }

    @Test
    void entriesThatAreNotBcryptAreIgnoredWithAWarning() throws Exception {
        List<String> lines = new ArrayList<>(List.of("# made by htpasswd", ""));
        lines.add(Htpasswd.run("-n", "-B", "-b", "alice", ALICE).strip());
        for (String option : List.of("-m", "-s", "-d", "-p", "-2", "-5")) {
            String user = "user" + option;
            lines.add(Htpasswd.run("-n", option, "-b", user, "pw" + option).strip());
            secrets.add("pw" + option);
        }
        lines.add("alice:" + BcryptHash.of(BOB.getBytes(StandardCharsets.UTF_8), 4).encoded());
        lines.add("nohash");
        Files.write(file, lines);

        Accounts accounts = HtpasswdAccounts.load(file, clock);
        assertTrue(accounts.verify("alice", ALICE));
        assertFalse(accounts.verify("alice", BOB), "the first entry of a user counts, as in Apache");
        for (String option : List.of("-m", "-s", "-d", "-p", "-2", "-5")) {
            assertFalse(accounts.verify("user" + option, "pw" + option), option);
        }
        List<String> warnings = log.messages(Level.WARNING);
        assertEquals(8, warnings.size(), String.join("\n", warnings));
        for (int i = 0; i < 6; i++) {
            String warning = warnings.get(i);
            assertTrue(warning.startsWith("auth.htpasswd: " + file + " line " + (i + 4) + " (user user-"), warning);
            assertTrue(warning.contains("only bcrypt hashes are supported"), warning);
        }
        assertTrue(warnings.get(0).contains("MD5 ($apr1$)"), warnings.get(0));
        assertTrue(warnings.get(1).contains("SHA-1 ({SHA})"), warnings.get(1));
        assertTrue(warnings.get(6).contains("line 10 ignored: user alice has an entry further up"), warnings.get(6));
        assertTrue(warnings.get(7).contains("line 11 (user nohash) ignored"), warnings.get(7));
        assertEquals(List.of("auth.htpasswd: read 1 accounts from " + file), log.messages(Level.INFO));
    }

    @Test
    void aFileRewrittenInPlaceIsReloadedAtTheNextCheck() throws Exception {
        Htpasswd.run("-c", "-B", "-b", file.toString(), "alice", ALICE);
        Htpasswd.run("-B", "-b", file.toString(), "bob", BOB);
        Object inode = Files.readAttributes(file, "unix:ino").get("ino");
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        assertTrue(accounts.verify("alice", ALICE));

        Htpasswd.run("-B", "-b", file.toString(), "carol", "carol's");
        secrets.add("carol's");
        assertFalse(accounts.verify("carol", "carol's"), "the file is looked at once a second at most");
        clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
        assertTrue(accounts.verify("carol", "carol's"));

        // Same length, maybe the same modification time: only the content tells. The old password was cached.
        Htpasswd.run("-B", "-b", file.toString(), "alice", "new horse");
        Htpasswd.run("-D", file.toString(), "bob");
        secrets.add("new horse");
        clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
        assertFalse(accounts.verify("alice", ALICE));
        assertTrue(accounts.verify("alice", "new horse"));
        assertFalse(accounts.verify("bob", BOB));
        assertEquals(inode, Files.readAttributes(file, "unix:ino").get("ino"), "htpasswd rewrites in place");
        assertEquals(List.of("auth.htpasswd: read 2 accounts from " + file,
                "auth.htpasswd: reloaded 3 accounts from " + file,
                "auth.htpasswd: reloaded 2 accounts from " + file), log.messages(Level.INFO));
    }

    @Test
    void aFileReplacedByRenameIsReloaded() throws Exception {
        Htpasswd.run("-c", "-B", "-b", file.toString(), "alice", ALICE);
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        assertTrue(accounts.verify("alice", ALICE));

        // What editors do: write a new file, rename it over the old one.
        Path edited = dir.resolve("htpasswd.swp");
        Htpasswd.run("-c", "-B", "-b", edited.toString(), "bob", BOB);
        Files.move(edited, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
        assertTrue(accounts.verify("bob", BOB));
        assertFalse(accounts.verify("alice", ALICE));
    }

    @Test
    void anAccountsFingerprintIsTheSameEverywhereAndChangesWithItsPasswordAtTheNextCheck() throws Exception {
        Files.writeString(file, Htpasswd.line("alice", ALICE) + Htpasswd.line("bob", BOB));
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        String alice = accounts.fingerprint("alice").orElseThrow();
        String bob = accounts.fingerprint("bob").orElseThrow();
        assertEquals(alice, HtpasswdAccounts.load(file, clock).fingerprint("alice").orElseThrow(),
                "another instance reading the same file");
        assertFalse(alice.equals(bob));
        assertTrue(accounts.fingerprint("carol").isEmpty());

        String bobsLine = Files.readAllLines(file).get(1) + "\n";
        secrets.add("a new password");
        Files.writeString(file, Htpasswd.line("alice", "a new password") + bobsLine);
        assertEquals(alice, accounts.fingerprint("alice").orElseThrow(), "until the next check");
        clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
        assertFalse(alice.equals(accounts.fingerprint("alice").orElseThrow()), "a new password, a new fingerprint");
        assertEquals(bob, accounts.fingerprint("bob").orElseThrow(), "bob's entry did not change");

        Files.writeString(file, bobsLine);
        clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
        assertTrue(accounts.fingerprint("alice").isEmpty(), "removed");
    }

    @Test
    void aMissingFileAtStartFailsWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HtpasswdAccounts.load(file, clock));
        assertEquals("auth.htpasswd: cannot read " + file.toAbsolutePath() + " (create it with: berth passwd USER)",
                e.getMessage());
    }

    @Test
    void theLastAccountsStayWhileTheFileIsGone() throws Exception {
        Htpasswd.run("-c", "-B", "-b", file.toString(), "alice", ALICE);
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        Path moved = Files.move(file, dir.resolve("htpasswd.old"));
        for (int i = 0; i < 3; i++) {
            clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
            assertTrue(accounts.verify("alice", ALICE));
        }
        assertEquals(List.of("auth.htpasswd: cannot read " + file + " (no such file); keeping the 1 accounts read"
                + " before"), log.messages(Level.WARNING));

        Htpasswd.run("-B", "-b", moved.toString(), "bob", BOB);
        Files.move(moved, file);
        clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
        assertTrue(accounts.verify("bob", BOB));
        assertTrue(log.messages(Level.INFO).contains("auth.htpasswd: " + file + " is readable again"));
        assertEquals(1, log.messages(Level.WARNING).size());
    }

    @Test
    void aVerifiedPasswordIsRememberedAndAnUnknownUserCostsACheck() {
        Htpasswd.run("-c", "-B", "-C", "12", "-b", file.toString(), "alice", ALICE);
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        long wrong = nanos(() -> assertFalse(accounts.verify("alice", "wrong")));
        long unknown = nanos(() -> assertFalse(accounts.verify("mallory", "wrong")));
        nanos(() -> assertTrue(accounts.verify("alice", ALICE)));
        long remembered = nanos(() -> {
            for (int i = 0; i < 50; i++) {
                assertTrue(accounts.verify("alice", ALICE));
            }
        });
        // Lower bounds only: a check at cost 12 takes hundreds of milliseconds, 50 cache hits microseconds.
        assertTrue(unknown > wrong / 4, "unknown user: " + unknown + " ns, wrong password: " + wrong + " ns");
        assertTrue(remembered < wrong, "50 remembered: " + remembered + " ns, one check: " + wrong + " ns");
        assertFalse(accounts.verify("alice", "wrong"), "failures are not remembered");
    }

    private static long nanos(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return System.nanoTime() - start;
    }
}
