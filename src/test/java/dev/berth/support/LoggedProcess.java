package dev.berth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assertions;

/** A long-running program writing to a log file: started, awaited until it is ready, and stopped by its own PID. */
public final class LoggedProcess implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path log;

    private LoggedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with stdout and stderr going to {@code log}; {@code name} is what messages call it. */
    public static LoggedProcess start(String name, List<String> command, Path log) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            process.getOutputStream().close();
            return new LoggedProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process's ID: the program's own when the command's launchers exec it (nsenter, unshare, sh's exec). */
    public long pid() {
        return process.pid();
    }

    /**
     * Polls {@code ready} until it holds; fails the test with the log if the program exits first or
     * {@code timeout} passes. The program is stopped when this fails, so a caller need not clean up.
     */
    public void awaitReady(Duration timeout, BooleanSupplier ready) {
        Instant deadline = Instant.now().plus(timeout);
        try {
            while (!ready.getAsBoolean()) {
                if (!process.isAlive()) {
                    Assertions.fail(name + " exited with " + process.exitValue() + ":\n" + log());
                }
                if (Instant.now().isAfter(deadline)) {
                    Assertions.fail(name + " was not ready within " + timeout + ":\n" + log());
                }
                // Waiting on the process rather than sleeping notices an early exit at once.
                process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Everything the program wrote so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** SIGTERM to this process only, then SIGKILL if it has not exited within a grace period; waits for the exit. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
