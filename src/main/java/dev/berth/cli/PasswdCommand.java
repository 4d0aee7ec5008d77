package dev.berth.cli;

import dev.berth.auth.BcryptHash;
import dev.berth.auth.HtpasswdFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code berth passwd USER}: sets a user's password, as a bcrypt hash, in the {@code auth.htpasswd} file. */
public final class PasswdCommand {
    /** The subcommand's name on the command line. */
    public static final String NAME = "passwd";

    private static final int USAGE = 2;
    private static final int FAILED = 1;

    private final Optional<Path> htpasswd;
    private final Optional<Path> configFile;
    private final PasswordInput input;
    private final PrintStream err;

    /**
     * @param htpasswd   the configuration's {@code auth.htpasswd}
     * @param configFile the configuration file, named when it lacks {@code auth.htpasswd}
     */
    public PasswdCommand(Optional<Path> htpasswd, Optional<Path> configFile, PasswordInput input, PrintStream err) {
        this.htpasswd = htpasswd;
        this.configFile = configFile;
        this.input = input;
        this.err = err;
    }

    /** Runs with the arguments after {@code passwd}; returns the exit status: 0, 1 (I/O failed) or 2 (bad input). */
    public int run(List<String> args) {
        if (args.size() != 1) {
            err.println("usage: berth [--config FILE] passwd USER");
            return USAGE;
        }
        String user = args.getFirst();
        Optional<String> problem = HtpasswdFile.userNameProblem(user);
        if (problem.isPresent()) {
            err.println("berth: the user name " + problem.get());
            return USAGE;
        }
        if (htpasswd.isEmpty()) {
            err.println("berth: passwd needs auth.htpasswd, the file of accounts, in "
                    + configFile.map(f -> "the configuration " + f).orElse("a configuration (--config FILE)"));
            return USAGE;
        }
        Path file = htpasswd.get().toAbsolutePath();
        try {
            // Read before asking for the password, so that a file berth cannot use fails at once.
            HtpasswdFile current = readExisting(file);
            byte[] password = input.read(user);
            checkPassword(password);
            HtpasswdFile updated = current.withHash(user, BcryptHash.of(password));
            AtomicFile.replace(file, updated.text().getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            err.println("berth: " + e.getMessage());
            return USAGE;
        } catch (IOException e) {
            boolean access = e instanceof FileSystemException && !(e instanceof NoSuchFileException);
            err.println("berth: cannot update " + file + ": " + e + (access ? " (passwd needs to write the file, and"
                    + " its directory when the file is new; in a container, mount the directory, as"
                    + " -v \"$PWD/etc:/etc/berth\", rather than the file alone)" : ""));
            return FAILED;
        }
        err.println("berth: set the password of " + user + " in " + file);
        return 0;
    }

    private static HtpasswdFile readExisting(Path file) throws IOException {
        if (!Files.isDirectory(file.getParent())) {
            throw new NoSuchFileException(file.getParent().toString(), null, "no such directory");
        }
        try {
            // Decoded strictly: lines that are not UTF-8 could not be written back unchanged.
            return HtpasswdFile.parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            return HtpasswdFile.parse("");
        } catch (CharacterCodingException e) {
            throw new IOException("it is not UTF-8 text", e);
        }
    }

    private static void checkPassword(byte[] password) {
        if (password.length == 0) {
            throw new IllegalArgumentException("refusing an empty password");
        }
        if (password.length > BcryptHash.MAX_PASSWORD_BYTES) {
            // bcrypt would ignore the rest, so the password would be weaker than it looks.
            throw new IllegalArgumentException("the password is longer than " + BcryptHash.MAX_PASSWORD_BYTES
                    + " bytes, which is all bcrypt reads");
        }
    }
}
