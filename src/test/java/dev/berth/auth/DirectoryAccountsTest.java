package dev.berth.auth;

import static dev.berth.support.TestDirectory.ALICE_PASSWORD;
import static dev.berth.support.TestDirectory.CAROL_PASSWORD;
import static dev.berth.support.TestDirectory.SERVICE_DN;
import static dev.berth.support.TestDirectory.userDn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.TestCertificates;
import dev.berth.support.TestDirectory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Directory accounts against a real LDAP server on loopback: binds, groups, escaping, memory, outages, TLS. */
class DirectoryAccountsTest {
    private static final Duration TTL = Duration.ofMinutes(1);

    @TempDir
    Path dir;
    @RegisterExtension
    final Closing open = new Closing();
    private final AtomicLong nanos = new AtomicLong(1);

    private static BerthConfig.Ldap config(TestDirectory directory, boolean startTls, Optional<Path> caFile) {
        return new BerthConfig.Ldap(URI.create(directory.url()), startTls, caFile, SERVICE_DN,
                TestDirectory.SERVICE_PASSWORD, "ou=people," + TestDirectory.BASE, "(uid={username})",
                Optional.of("ou=groups," + TestDirectory.BASE), "(member={dn})", Duration.ofSeconds(2),
                Duration.ofMillis(500), TTL);
    }

    private DirectoryAccounts accounts(BerthConfig.Ldap config) {
        return new DirectoryAccounts(new LdapDirectory(config), config.cacheTtl(), nanos::get);
    }

    private DirectoryAccounts accounts(TestDirectory directory) {
        return accounts(config(directory, false, Optional.empty()));
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void aDirectoryUserLogsInWithTheirPasswordAndGroups() {
        TestDirectory directory = open.add(TestDirectory.start());
        DirectoryAccounts accounts = accounts(directory);
        assertTrue(accounts.verify("alice", ALICE_PASSWORD));
        assertEquals(Set.of("devs"), accounts.groups("alice"));
        assertTrue(accounts.verify("carol", CAROL_PASSWORD));
        assertEquals(Set.of(), accounts.groups("carol"));
        assertEquals(1, directory.binds(userDn("alice")), "the password is checked by binding as her entry");
    }

    @Test
    void wrongPasswordsUnknownUsersAndEmptyPasswordsAreRefused() {
        TestDirectory directory = open.add(TestDirectory.start());
        DirectoryAccounts accounts = accounts(directory);
        assertFalse(accounts.verify("alice", CAROL_PASSWORD));
        int searches = directory.binds(SERVICE_DN);
        assertFalse(accounts.verify("mallory", ALICE_PASSWORD));
        assertEquals(Optional.empty(), accounts.fingerprint("mallory"));
        assertEquals(searches + 1, directory.binds(SERVICE_DN), "that there is no mallory is remembered too");
        assertFalse(accounts.verify("alice", ""));
        assertEquals(1, directory.binds(userDn("alice")), "an empty password is never sent: it binds as anyone");
    }

    @Test
    void aFilterInAUserNameMatchesNobody() {
        TestDirectory directory = open.add(TestDirectory.start());
        DirectoryAccounts accounts = accounts(directory);
        // Names that differ from hers only where the directory ignores it (case, spaces) find her entry, not her.
        for (String name : new String[] {"*)(uid=*", "*", "alice)(uid=*", "al*", "alice\u0000", "(uid=alice)", "ALICE",
            "Alice", " alice", "alice  "}) {
            assertFalse(accounts.verify(name, ALICE_PASSWORD), name);
            assertEquals(Optional.empty(), accounts.fingerprint(name), name);
        }
        assertEquals(0, directory.binds(userDn("alice")), "no name found her entry to bind as");
        assertTrue(accounts.verify("alice", ALICE_PASSWORD));
        assertEquals(0, directory.binds(userDn("carol")));
    }

    @Test
    void anAcceptedPasswordIsRememberedAndARefusedOneNever() {
        TestDirectory directory = open.add(TestDirectory.start());
        DirectoryAccounts accounts = accounts(directory);
        for (int i = 0; i < 5; i++) {
            assertTrue(accounts.verify("alice", ALICE_PASSWORD));
            assertEquals(Set.of("devs"), accounts.groups("alice"));
        }
        assertEquals(1, directory.binds(userDn("alice")));
        assertEquals(1, directory.binds(SERVICE_DN), "one lookup of her entry and groups");
        for (int i = 0; i < 3; i++) {
            assertFalse(accounts.verify("alice", "guess " + i));
        }
        assertFalse(accounts.verify("alice", "guess 0"));
        assertEquals(5, directory.binds(userDn("alice")), "each wrong password is asked of the directory");
        assertTrue(accounts.verify("alice", ALICE_PASSWORD), "still remembered after the wrong ones");
        assertEquals(5, directory.binds(userDn("alice")));

        advance(TTL.plusSeconds(1));
        assertTrue(accounts.verify("alice", ALICE_PASSWORD));
        assertEquals(6, directory.binds(userDn("alice")), "asked again once the memory expired");
        assertEquals(2, directory.binds(SERVICE_DN));
    }

    @Test
    void aDirectoryThatIsDownIsUnavailableNotAWrongPassword() {
        TestDirectory directory = open.add(TestDirectory.start());
        DirectoryAccounts accounts = accounts(directory);
        assertTrue(accounts.verify("alice", ALICE_PASSWORD));
        directory.stop();
        assertTrue(accounts.verify("alice", ALICE_PASSWORD), "what is remembered serves while the memory lasts");
        assertThrows(AccountsUnavailable.class, () -> accounts.verify("alice", "a wrong one"),
                "no bind is possible: neither right nor wrong");
        AccountsUnavailable down = assertThrows(AccountsUnavailable.class,
                () -> accounts.verify("carol", CAROL_PASSWORD));
        assertEquals("the account directory (auth.ldap) is unavailable; try again later", down.getMessage());
        advance(TTL.plusSeconds(1));
        assertThrows(AccountsUnavailable.class, () -> accounts.verify("alice", ALICE_PASSWORD));
        assertThrows(AccountsUnavailable.class, () -> accounts.fingerprint("alice"));
        directory.restart();
        assertTrue(accounts.verify("alice", ALICE_PASSWORD));
        assertTrue(accounts.verify("carol", CAROL_PASSWORD));
    }

    @Test
    void aDirectoryThatDoesNotAnswerIsUnavailableWithinTheResponseTimeout() {
        TestDirectory directory = open.add(TestDirectory.start());
        DirectoryAccounts accounts = accounts(directory);
        directory.hold();
        long start = System.nanoTime();
        assertThrows(AccountsUnavailable.class, () -> accounts.verify("alice", ALICE_PASSWORD));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "bounded by the response timeout: " + took);
        directory.answer();
        assertTrue(accounts.verify("alice", ALICE_PASSWORD));
    }

    @Test
    void aServerThatAcceptsButNeverSpeaksIsUnavailableWithinTheTimeouts() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            TestCertificates certs = TestCertificates.create(dir.resolve("certs"), TestCertificates.KeyType.EC);
            for (String url : new String[] {"ldap://127.0.0.1:", "ldaps://127.0.0.1:"}) {
                BerthConfig.Ldap config = new BerthConfig.Ldap(URI.create(url + silent.getLocalPort()), false,
                        Optional.of(certs.caCertificate()), SERVICE_DN, TestDirectory.SERVICE_PASSWORD,
                        "ou=people," + TestDirectory.BASE, "(uid={username})", Optional.empty(), "(member={dn})",
                        Duration.ofMillis(500), Duration.ofMillis(500), TTL);
                // Preemptively: without a bound on the TLS handshake, ldaps:// would wait here for good.
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(AccountsUnavailable.class,
                        () -> accounts(config).verify("alice", ALICE_PASSWORD)), url);
            }
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void aUserRemovedFromTheDirectoryLosesTheirFingerprintWhenTheMemoryExpires() {
        TestDirectory directory = open.add(TestDirectory.start());
        DirectoryAccounts accounts = accounts(directory);
        String before = accounts.fingerprint("alice").orElseThrow();
        assertEquals(Optional.of(before), accounts.fingerprint("alice"), "the same entry, the same fingerprint");
        assertNotEquals(before, accounts.fingerprint("carol").orElseThrow());
        directory.removeUser("alice");
        assertEquals(Optional.of(before), accounts.fingerprint("alice"), "remembered for a while");
        advance(TTL.plusSeconds(1));
        assertEquals(Optional.empty(), accounts.fingerprint("alice"));
        directory.addUser("alice", ALICE_PASSWORD);
        advance(TTL.plusSeconds(1));
        assertNotEquals(Optional.of(before), accounts.fingerprint("alice"),
                "an account made again under the same DN is another entry (entryUUID)");
    }

    @Test
    void ldapsAndStartTlsCheckTheCertificateAgainstTheCaFile() {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"), TestCertificates.KeyType.EC);
        TestDirectory ldaps = open.add(TestDirectory.start(TestDirectory.Transport.LDAPS, certs));
        TestDirectory startTls = open.add(TestDirectory.start(TestDirectory.Transport.START_TLS, certs));
        assertTrue(accounts(config(ldaps, false, Optional.of(certs.caCertificate()))).verify("alice", ALICE_PASSWORD));
        assertTrue(accounts(config(startTls, true, Optional.of(certs.caCertificate())))
                .verify("alice", ALICE_PASSWORD));

        // The JVM's authorities do not know the test CA, nor does another CA's file.
        assertThrows(AccountsUnavailable.class,
                () -> accounts(config(ldaps, false, Optional.empty())).verify("alice", ALICE_PASSWORD));
        Path otherCa = TestCertificates.create(dir.resolve("other"), TestCertificates.KeyType.EC).caCertificate();
        assertThrows(AccountsUnavailable.class,
                () -> accounts(config(startTls, true, Optional.of(otherCa))).verify("alice", ALICE_PASSWORD));
        assertEquals(1, ldaps.binds(SERVICE_DN), "only the verified connection carried the service password");
        assertEquals(1, startTls.binds(SERVICE_DN), "only the verified connection carried the service password");
    }

    @Test
    void aNameInTheHtpasswdFileIsCheckedThereOnly() throws Exception {
        TestDirectory directory = open.add(TestDirectory.start());
        Accounts file = HtpasswdAccounts.load(Htpasswd.aliceAndBob(dir.resolve("htpasswd")));
        Accounts both = new LayeredAccounts(file, accounts(directory));
        assertTrue(both.verify("alice", Htpasswd.ALICE_PASSWORD));
        assertFalse(both.verify("alice", ALICE_PASSWORD), "the directory's alice is shadowed by the file's");
        assertEquals(Set.of(), both.groups("alice"), "the file's alice has auth.groups only");
        assertEquals(0, directory.binds(userDn("alice")));
        assertTrue(both.verify("carol", CAROL_PASSWORD));
        assertEquals(Set.of(), both.groups("carol"));
        assertEquals(file.fingerprint("alice"), both.fingerprint("alice"));
        directory.stop();
        assertTrue(both.verify("bob", Htpasswd.BOB_PASSWORD), "file accounts work while the directory is down");
    }
}
