package dev.berth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A containerd for one {@link DockerDaemon}, with its state, socket and plugin directories in a work directory. */
final class Containerd implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(15);

    private final LoggedProcess process;
    private final Path socket;

    private Containerd(LoggedProcess process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    /** Starts {@code executable} through {@code prefix} and waits for its socket. */
    static Containerd start(Path executable, Path workDir, List<String> prefix) {
        try {
            Files.createDirectories(workDir);
            Path socket = workDir.resolve("containerd.sock");
            Path config = workDir.resolve("config.toml");
            Files.writeString(config, config(workDir, socket));
            List<String> command = new ArrayList<>(prefix);
            command.addAll(List.of(executable.toString(), "--config", config.toString()));
            LoggedProcess process = LoggedProcess.start("containerd", command, workDir.resolve("containerd.log"));
            // containerd creates its socket by listening on it, so once the file exists connections are accepted.
            process.awaitReady(STARTUP, () -> Files.exists(socket));
            return new Containerd(process, socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every path containerd would otherwise default to (/var/lib/containerd, /run/containerd, /opt/containerd)
     * moved into {@code workDir}. The CRI plugin is off: it serves Kubernetes, which dockerd does not need.
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

    /** The unix socket to hand to dockerd's {@code --containerd}. */
    Path socket() {
        return socket;
    }

    /** Stops containerd (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
    @Override
    public void close() {
        process.close();
    }
}
