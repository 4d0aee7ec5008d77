package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.auth.Accounts;
import dev.berth.auth.HtpasswdAccounts;
import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import dev.berth.support.Htpasswd;
import dev.berth.support.MutableClock;
import dev.berth.support.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdCommandTest {
    private static final String PASSWORD = "correct horse ünïcode";

    @TempDir
    Path dir;

    /** One in-process run: its exit status and what it printed. */
    private record Run(int status, String stderr) {
    }

    private Run passwd(Path htpasswd, String stdin, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PasswdCommand command = new PasswdCommand(Optional.ofNullable(htpasswd), Optional.of(dir.resolve("berth.yaml")),
                PasswordInput.of(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run run = new Run(command.run(List.of(args)), err.toString(StandardCharsets.UTF_8));
        if (!stdin.isBlank()) {
            assertFalse(run.stderr().contains(stdin.strip()), "printed the password: " + run.stderr());
        }
        return run;
    }

    @Test
    void createsTheFileReadableByItsGroup() throws Exception {
        Path file = dir.resolve("htpasswd");
        Run run = passwd(file, PASSWORD + "\n", "alice");
        assertEquals(new Run(0, "berth: set the password of alice in " + file + "\n"), run);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String content = Files.readString(file);
        assertTrue(content.startsWith("alice:$2y$10$") && content.endsWith("\n"), content);
        assertEquals(1, content.lines().count());
        assertTrue(Htpasswd.verifies(file, "alice", PASSWORD));
        assertFalse(Htpasswd.verifies(file, "alice", "correct horse"));
        assertTrue(HtpasswdAccounts.load(file).verify("alice", PASSWORD));
        assertEquals(List.of("htpasswd"), listing(), "no temporary file is left");
    }

    @Test
    void replacesAnEntryKeepingEveryOtherLineAndTheFilesMode() throws Exception {
        Path file = dir.resolve("htpasswd");
        Htpasswd.run("-c", "-B", "-b", file.toString(), "bob", "bob's");
        Htpasswd.run("-m", "-b", file.toString(), "alice", "old md5");
        Htpasswd.run("-B", "-b", file.toString(), "carol", "carol's");
        List<String> made = Files.readAllLines(file);
        Files.write(file, List.of("# accounts of the team", made.get(0), "", made.get(1), "  # carol is ci",
                made.get(2)));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));

        assertEquals(0, passwd(file, PASSWORD + "\r\n", "alice").status());
        List<String> lines = Files.readAllLines(file);
        assertEquals(List.of("# accounts of the team", made.get(0), "", lines.get(3), "  # carol is ci", made.get(2)),
                lines);
        assertTrue(lines.get(3).startsWith("alice:$2y$10$"), lines.get(3));
        assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Htpasswd.verifies(file, "alice", PASSWORD), "the line end is not part of the password");
        assertTrue(Htpasswd.verifies(file, "bob", "bob's"));
        assertTrue(Htpasswd.verifies(file, "carol", "carol's"));

        assertEquals(0, passwd(file, "newer\n", "dave").status());
        assertEquals(lines, Files.readAllLines(file).subList(0, 6));
        assertTrue(Htpasswd.verifies(file, "dave", "newer"));
    }

    @Test
    void aRunningBerthTakesTheNewPasswordAtItsNextCheck() throws Exception {
        Path file = dir.resolve("htpasswd");
        assertEquals(0, passwd(file, "first\n", "alice").status());
        MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        Accounts accounts = HtpasswdAccounts.load(file, clock);
        assertTrue(accounts.verify("alice", "first"));
        assertEquals(0, passwd(file, "second\n", "alice").status());
        clock.advance(HtpasswdAccounts.CHECK_INTERVAL);
        assertFalse(accounts.verify("alice", "first"));
        assertTrue(accounts.verify("alice", "second"));
    }

    @Test
    void aSymbolicLinkStaysOne() throws Exception {
        Path real = Files.createDirectory(dir.resolve("secrets")).resolve("htpasswd");
        Htpasswd.run("-c", "-B", "-b", real.toString(), "bob", "bob's");
        Path link = Files.createSymbolicLink(dir.resolve("htpasswd"), real);
        assertEquals(0, passwd(link, PASSWORD + "\n", "alice").status());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Htpasswd.verifies(real, "alice", PASSWORD));
        assertTrue(Htpasswd.verifies(real, "bob", "bob's"));
    }

    @Test
    void refusesBadInputAndLeavesTheFileAlone() throws Exception {
        Path file = dir.resolve("htpasswd");
        Htpasswd.run("-c", "-B", "-b", file.toString(), "bob", "bob's");
        byte[] before = Files.readAllBytes(file);

        assertEquals(new Run(2, "berth: refusing an empty password\n"), passwd(file, "\n", "alice"));
        assertEquals(new Run(2, "berth: no password on standard input\n"), passwd(file, "", "alice"));
        assertEquals(2, passwd(file, "x".repeat(73) + "\n", "alice").status());
        assertEquals(2, passwd(file, "x".repeat(5000), "alice").status());
        for (String user : List.of("", "a:b", "a b", "#alice")) {
            Run run = passwd(file, PASSWORD + "\n", user);
            assertEquals(2, run.status(), user);
            assertTrue(run.stderr().startsWith("berth: the user name "), run.stderr());
        }
        assertEquals(new Run(2, "usage: berth [--config FILE] passwd USER\n"), passwd(file, PASSWORD + "\n"));
        assertEquals(2, passwd(file, PASSWORD + "\n", "alice", "bob").status());
        assertEquals(new Run(2, "berth: passwd needs auth.htpasswd, the file of accounts, in the configuration "
                + dir.resolve("berth.yaml") + "\n"), passwd(null, PASSWORD + "\n", "alice"));
        Run noDirectory = passwd(dir.resolve("missing/htpasswd"), PASSWORD + "\n", "alice");
        assertEquals(1, noDirectory.status());
        assertTrue(noDirectory.stderr().contains("no such directory"), noDirectory.stderr());

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("htpasswd"), listing());
    }

    @Test
    void aFileThatCannotBeRenamedOverIsRewrittenInPlace() throws Exception {
        Path file = dir.resolve("htpasswd");
        Files.writeString(file, "bob:" + "x".repeat(60) + "\nalice:" + "y".repeat(60) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Object inode = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        // What rename(2) says when the file is a mount point, as a single file mounted into a container is.
        AtomicFile.Rename busy = (from, to) -> {
            throw new FileSystemException(from.toString(), to.toString(), "Device or resource busy");
        };

        AtomicFile.replace(file, "bob:shorter\n".getBytes(StandardCharsets.UTF_8), busy);
        assertEquals("bob:shorter\n", Files.readString(file));
        AtomicFile.replace(file, ("bob:" + "z".repeat(200) + "\n").getBytes(StandardCharsets.UTF_8), busy);
        assertEquals("bob:" + "z".repeat(200) + "\n", Files.readString(file));

        assertEquals(inode, Files.readAttributes(file, BasicFileAttributes.class).fileKey(), "the same file");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("htpasswd"), listing(), "no temporary file is left");
    }

    /** As in a container started with -v $PWD/etc/htpasswd:/etc/berth/htpasswd: a bind mount of the file alone. */
    @Test
    void aSingleFileBindMountIsUpdatedAndAReadOnlyOneSaysMountTheDirectory() throws Exception {
        Tools.requireRoot("bind-mounts a single file in a mount namespace of its own");
        Path host = Files.createDirectory(dir.resolve("host")).resolve("htpasswd");
        Htpasswd.run("-c", "-B", "-b", host.toString(), "bob", "bob's");
        Path etc = Files.createDirectory(dir.resolve("etc"));
        Path mounted = Files.createFile(etc.resolve("htpasswd"));
        Path config = dir.resolve("berth.yaml");
        Files.writeString(config, "auth:\n  htpasswd: " + mounted + "\n");
        List<String> passwd = ChildBerth.mainCommand(List.of(), List.of("--config", config.toString(), "passwd",
                "alice"));

        ExternalCommand.Result set = ExternalCommand.run(inMountNamespace("mount --bind " + host + " " + mounted,
                passwd), (PASSWORD + "\n").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
        assertEquals(0, set.exitCode(), set.stderr());
        assertTrue(Htpasswd.verifies(host, "alice", PASSWORD));
        assertTrue(Htpasswd.verifies(host, "bob", "bob's"));

        // The image's /etc/berth on a read-only root file system (Kubernetes' readOnlyRootFilesystem): no temporary
        // file can be made beside the mounted one at all.
        ExternalCommand.Result readOnlyDirectory = ExternalCommand.run(inMountNamespace("mount --bind " + etc + " "
                + etc + " && mount -o remount,bind,ro " + etc + " && mount --bind " + host + " " + mounted, passwd),
                "third\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
        assertEquals(0, readOnlyDirectory.exitCode(), readOnlyDirectory.stderr());
        assertTrue(Htpasswd.verifies(host, "alice", "third"));
        assertTrue(Htpasswd.verifies(host, "bob", "bob's"));

        byte[] before = Files.readAllBytes(host);
        ExternalCommand.Result readOnly = ExternalCommand.run(inMountNamespace("mount --bind " + host + " " + mounted
                + " && mount -o remount,bind,ro " + mounted, passwd), "second\n".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(60));
        assertEquals(1, readOnly.exitCode(), readOnly.stderr());
        assertTrue(readOnly.stderr().contains("mount the directory"), readOnly.stderr());
        assertArrayEquals(before, Files.readAllBytes(host));
        assertEquals(List.of(".", "htpasswd"), listingOf(etc), "no temporary file is left beside it");
    }

    /** {@code command} run after {@code mounts} (a shell command) in a mount namespace that ends with it. */
    private static List<String> inMountNamespace(String mounts, List<String> command) {
        return Stream.concat(Stream.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                mounts + " && exec \"$@\"", "sh"), command.stream()).toList();
    }

    /** The real thing: Main in its own JVM, with a configuration file and the password on a pipe. */
    @Test
    void berthPasswdInAChildJvm() throws Exception {
        Path file = dir.resolve("htpasswd");
        Path config = dir.resolve("berth.yaml");
        Files.writeString(config, "auth:\n  htpasswd: " + file + "\n");
        List<String> command = ChildBerth.mainCommand(List.of(), List.of("--config", config.toString(), "passwd",
                "alice"));

        ExternalCommand.Result created = ExternalCommand.run(command,
                (PASSWORD + "\n").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
        assertEquals(0, created.exitCode(), created.stderr());
        assertEquals("berth: set the password of alice in " + file + "\n", created.stderr());
        assertEquals("", created.stdoutText());
        assertTrue(Htpasswd.verifies(file, "alice", PASSWORD));

        Htpasswd.run("-B", "-b", file.toString(), "bob", "bob's");
        ExternalCommand.Result replaced = ExternalCommand.run(command, "second\n".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(60));
        assertEquals(0, replaced.exitCode(), replaced.stderr());
        assertFalse(replaced.stderr().contains("second"), replaced.stderr());
        assertTrue(Htpasswd.verifies(file, "alice", "second"));
        assertTrue(Htpasswd.verifies(file, "bob", "bob's"));
        assertEquals(2, Files.readAllLines(file).size());

        Files.writeString(config, "storage: {root: " + dir + "}\n");
        ExternalCommand.Result unset = ExternalCommand.run(command, "third\n".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(60));
        assertEquals(2, unset.exitCode());
        assertTrue(unset.stderr().contains("passwd needs auth.htpasswd"), unset.stderr());
    }

    private static List<String> listingOf(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return Stream.concat(Stream.of("."), files.map(f -> f.getFileName().toString()).sorted()).toList();
        }
    }

    private List<String> listing() throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(name -> !name.equals("berth.yaml")).sorted()
                    .toList();
        }
    }
}
