package dev.berth.support;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Apache's htpasswd (Debian's apache2-utils), which makes and checks the files that berth reads and writes. */
public final class Htpasswd {
    /** The tests' two accounts, alice and bob: their passwords. */
    public static final String ALICE_PASSWORD = "correct horse battery staple";
    public static final String BOB_PASSWORD = "hunter2-but-longer";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Htpasswd() {
    }

    /** An htpasswd line for {@code user} with a bcrypt hash of {@code password} (cost 4: quick, for tests). */
    public static String line(String user, String password) {
        return user + ":" + BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, password.toCharArray()) + "\n";
    }

    /** Writes {@code file} with the accounts alice and bob; returns it. */
    public static Path aliceAndBob(Path file) {
        try {
            return Files.writeString(file, line("alice", ALICE_PASSWORD) + line("bob", BOB_PASSWORD));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** berth's {@code auth} section: alice and bob in {@code dir}/htpasswd, and {@code rules} in order. */
    public static String aliceAndBobWithRules(Path dir, String... rules) {
        StringBuilder yaml = new StringBuilder("auth:\n  htpasswd: '" + aliceAndBob(dir.resolve("htpasswd")) + "'\n"
                + "  rules:\n");
        for (String rule : rules) {
            yaml.append("    - ").append(rule).append('\n');
        }
        return yaml.toString();
    }

    /** Runs {@code htpasswd ARGS}, failing the test unless it succeeds (and skipping it if htpasswd is missing). */
    public static String run(String... args) {
        return ExternalCommand.succeed(command(args), TIMEOUT).stdoutText();
    }

    /** Whether {@code htpasswd -v} accepts {@code password} as {@code user}'s in {@code file}. */
    public static boolean verifies(Path file, String user, String password) {
        return ExternalCommand.run(command("-v", "-b", file.toString(), user, password), TIMEOUT).exitCode() == 0;
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Tools.require("htpasswd", "apache2-utils").toString());
        command.addAll(List.of(args));
        return command;
    }
}
