package dev.berth.support;

import dev.berth.support.ExternalCommand.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;

/** Debian's containerd started by hand with its state, socket and plugin directories in a work directory, and ctr. */
public final class Containerd implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final LoggedProcess process;
    private final Path socket;
    private final List<String> ctr;

    private Containerd(LoggedProcess process, Path socket, List<String> ctr) {
        this.process = process;
        this.socket = socket;
        this.ctr = ctr;
    }

    /** The programs containerd is started and driven with, found on the PATH; both come with Debian's containerd. */
    private record Programs(Path containerd, Path ctr) {
        static Programs find() {
            PrivateRun.requireInstalled();
            return new Programs(Tools.require("containerd", "containerd"), Tools.require("ctr", "containerd"));
        }
    }

    /** Skips the test (fails it on CI) unless containerd, ctr and what they are started with are installed. */
    public static void requireInstalled() {
        Programs.find();
    }

    /**
     * Starts containerd through {@code prefix} (such as {@link NetworkNamespace#prefix()}) in a private /run,
     * everything kept in {@code workDir}, and waits for its socket. ctr runs through {@code prefix} too.
     */
    public static Containerd start(Path workDir, List<String> prefix) {
        Programs programs = Programs.find();
        try {
            Files.createDirectories(workDir);
            Path socket = workDir.resolve("containerd.sock");
            Path config = workDir.resolve("config.toml");
            Files.writeString(config, config(workDir, socket));
            List<String> command = PrivateRun.around(prefix);
            command.addAll(List.of(programs.containerd().toString(), "--config", config.toString()));
            LoggedProcess process = LoggedProcess.start("containerd", command, workDir.resolve("containerd.log"));
            // containerd creates its socket by listening on it, so once the file exists connections are accepted.
            process.awaitReady(STARTUP, () -> Files.exists(socket));
            List<String> ctr = new ArrayList<>(prefix);
            ctr.addAll(List.of(programs.ctr().toString(), "--address", socket.toString()));
            return new Containerd(process, socket, List.copyOf(ctr));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every path containerd would otherwise default to (/var/lib/containerd, /run/containerd, /opt/containerd)
     * moved into {@code workDir}. The CRI plugin is off: it serves Kubernetes, which no test here needs.
     */
    private static String config(Path workDir, Path socket) {
        return """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]

                [grpc]
                  address = "%s"

                [plugins."io.containerd.internal.v1.opt"]
                  path = "%s"
                """.formatted(workDir.resolve("root"), workDir.resolve("state"), socket, workDir.resolve("opt"));
    }

    /** Its private mount namespace (see {@link PrivateRun}), for dockerd to join. */
    Path mountNamespace() {
        return Path.of("/proc", Long.toString(process.pid()), "ns", "mnt");
    }

    /** The unix socket to hand to dockerd's {@code --containerd}. */
    Path socket() {
        return socket;
    }

    /** Runs {@code ctr ARGS...} against this containerd, whatever its exit code. */
    public Result tryCtr(String... args) {
        List<String> command = new ArrayList<>(ctr);
        command.addAll(List.of(args));
        return ExternalCommand.run(command, COMMAND_TIMEOUT);
    }

    /** Runs {@code ctr ARGS...}; fails the test with ctr's output and containerd's log unless it exits with 0. */
    public Result ctr(String... args) {
        Result result = tryCtr(args);
        if (result.exitCode() != 0) {
            Assertions.fail("ctr " + String.join(" ", args) + " exited with " + result.exitCode() + ":\n"
                    + result.stdoutText() + result.stderr() + "\ncontainerd's log:\n" + log());
        }
        return result;
    }

    /** Everything containerd logged so far, for failure messages. */
    public String log() {
        return process.log();
    }

    /** Stops containerd (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
    @Override
    public void close() {
        process.close();
    }
}
