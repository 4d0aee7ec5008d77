package dev.berth.support;

import com.sun.security.auth.module.UnixSystem;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Finds the programs (and root) that tests need: without one the test is skipped, or fails when {@code CI=true}. */
public final class Tools {
    private Tools() {
    }

    /** The program's path on {@code PATH}; otherwise skips the test (fails it on CI) naming the Debian package. */
    public static Path require(String program, String debianPackage) {
        return require(program, debianPackage, System.getenv());
    }

    static Path require(String program, String debianPackage, Map<String, String> env) {
        Optional<Path> found = find(program, env.getOrDefault("PATH", ""));
        if (found.isPresent()) {
            return found.get();
        }
        return unavailable(program + " is not on the PATH; install it with: apt-get install " + debianPackage, env);
    }

    /** Returns if this JVM runs as root; otherwise skips the test (fails it on CI), saying what needs root. */
    public static void requireRoot(String why) {
        requireRoot(why, new UnixSystem().getUid(), System.getenv());
    }

    static void requireRoot(String why, long uid, Map<String, String> env) {
        if (uid != 0) {
            unavailable(why + " needs root, and this test runs as uid " + uid, env);
        }
    }

    /** Returns {@code file} if it exists; otherwise skips the test (fails it on CI), saying how to make it. */
    public static Path requireFile(Path file, String makeWith) {
        return requireFile(file, makeWith, System.getenv());
    }

    static Path requireFile(Path file, String makeWith, Map<String, String> env) {
        if (Files.isRegularFile(file)) {
            return file;
        }
        return unavailable(file + " is missing; make it with: " + makeWith, env);
    }

    private static <T> T unavailable(String message, Map<String, String> env) {
        if ("true".equals(env.get("CI"))) {
            // CI installs the tools and runs as root, so there a missing one is a broken build rather than an
            // optional check.
            return Assertions.fail(message);
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    static Optional<Path> find(String program, String searchPath) {
        return Stream.of(searchPath.split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
