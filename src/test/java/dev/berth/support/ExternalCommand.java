package dev.berth.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/** Runs a program to completion and captures its output; a run over its timeout is killed and fails the test. */
public final class ExternalCommand {
    private ExternalCommand() {
    }

    /** What one run printed and how it exited; stdout is kept as bytes because manifests must be exact. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        /** Stdout as UTF-8 text. */
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Runs {@code command} with stdin closed; fails the test if it has not exited within {@code timeout}. */
    public static Result run(List<String> command, Duration timeout) {
        return run(command, new byte[0], timeout);
    }

    /** Runs {@code command} with {@code stdin} as its standard input, then closed; fails the test as above. */
    public static Result run(List<String> command, byte[] stdin, Duration timeout) {
        return run(command, Map.of(), stdin, timeout);
    }

    /** As {@link #run(List, byte[], Duration)}, with {@code environment} set over this JVM's environment. */
    public static Result run(List<String> command, Map<String, String> environment, byte[] stdin, Duration timeout) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            Process process = builder.start();
            // Drained concurrently so that neither stream can fill its pipe and stall the program.
            CompletableFuture<byte[]> stdout = drain(process.getInputStream());
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
            try (OutputStream input = process.getOutputStream()) {
                input.write(stdin);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                Assertions.fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(process.exitValue(), stdout.join(), new String(stderr.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
    }

    /** Runs {@code command} and fails the test with its stderr unless it exits with 0. */
    public static Result succeed(List<String> command, Duration timeout) {
        Result result = run(command, timeout);
        if (result.exitCode() != 0) {
            Assertions.fail(String.join(" ", command) + " exited with " + result.exitCode() + ":\n" + result.stderr());
        }
        return result;
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
