package dev.berth.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.ExternalCommand.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;

/** Debian's dockerd started by hand with its own containerd, data, sockets and daemon.json, and a docker CLI for it. */
public final class DockerDaemon implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Containerd containerd;
    private final LoggedProcess dockerd;
    private final List<String> cli;
    private final Path workDir;

    private DockerDaemon(Containerd containerd, LoggedProcess dockerd, List<String> cli, Path workDir) {
        this.containerd = containerd;
        this.dockerd = dockerd;
        this.cli = cli;
        this.workDir = workDir;
    }

    /** The programs a daemon is started with, found on the PATH. */
    private record Programs(Path dockerd, Path docker) {
        static Programs find() {
            Containerd.requireInstalled();
            return new Programs(Tools.require("dockerd", "docker.io"), Tools.require("docker", "docker.io"));
        }
    }

    /** Skips the test (fails it on CI) unless dockerd and all it is started with are installed: a cheap early check. */
    public static void requireInstalled() {
        Programs.find();
    }

    /**
     * Starts dockerd and its containerd through {@code prefix} (such as {@link NetworkNamespace#prefix()}), with
     * {@code settings} as its daemon.json, everything kept in {@code workDir}; waits until {@code docker version}
     * answers. The docker CLI runs through {@code prefix} too.
     */
    public static DockerDaemon start(Path workDir, List<String> prefix, Map<String, Object> settings) {
        Programs programs = Programs.find();
        try {
            Files.createDirectories(workDir);
            Path socket = workDir.resolve("docker.sock");
            Path daemonJson = workDir.resolve("daemon.json");
            JSON.writeValue(daemonJson.toFile(), daemonJson(workDir, settings));
            List<String> cli = new ArrayList<>(prefix);
            // --config keeps the CLI away from ~/.docker (credential helpers, contexts) of whoever runs the tests.
            cli.addAll(List.of(programs.docker().toString(), "--config", workDir.resolve("cli").toString(),
                    "-H", "unix://" + socket));
            Containerd containerd = Containerd.start(workDir.resolve("containerd"), prefix);
            try {
                // In containerd's mount namespace: for a container on the host network, runc (started by containerd)
                // enters the network namespace that dockerd bind-mounts under its exec root, a mount that only
                // dockerd's own mount namespace sees.
                List<String> command = PrivateRun.joining(prefix, containerd.mountNamespace());
                command.addAll(List.of(programs.dockerd().toString(),
                        "--config-file", daemonJson.toString(),
                        "--containerd", containerd.socket().toString(),
                        "--data-root", workDir.resolve("data").toString(),
                        "--exec-root", workDir.resolve("exec").toString(),
                        "--pidfile", workDir.resolve("dockerd.pid").toString(),
                        "-H", "unix://" + socket,
                        "--storage-driver", "vfs",
                        // No bridge, NAT or forwarding: the namespace's loopback is all the network dockerd gets.
                        "--bridge", "none", "--iptables=false", "--ip-masq=false", "--ip-forward=false"));
                LoggedProcess process = LoggedProcess.start("dockerd", command, workDir.resolve("dockerd.log"));
                DockerDaemon daemon = new DockerDaemon(containerd, process, List.copyOf(cli), workDir);
                process.awaitReady(STARTUP, () -> daemon.tryDocker("version").exitCode() == 0);
                return daemon;
            } catch (RuntimeException | Error e) {
                containerd.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code settings} plus the trust key's path: dockerd 20.10 otherwise creates /etc/docker/key.json, and takes
     * that path only from daemon.json.
     */
    private static Map<String, Object> daemonJson(Path workDir, Map<String, Object> settings) {
        Map<String, Object> json = new LinkedHashMap<>(settings);
        json.put("deprecated-key-path", workDir.resolve("key.json").toString());
        return json;
    }

    /** Runs {@code docker ARGS...} against this daemon, whatever its exit code. */
    public Result tryDocker(String... args) {
        return tryDocker(new byte[0], args);
    }

    /** Runs {@code docker ARGS...} with {@code stdin} as its input (a password), whatever its exit code. */
    public Result tryDocker(byte[] stdin, String... args) {
        List<String> command = new ArrayList<>(cli);
        command.addAll(List.of(args));
        // No PATH: the CLI would use a credential helper it finds there (docker-credential-pass or -secretservice,
        // the user's keyring) rather than its config dir in workDir.
        return ExternalCommand.run(command, Map.of("PATH", ""), stdin, COMMAND_TIMEOUT);
    }

    /** Runs {@code docker ARGS...}; fails the test with the CLI's stderr and dockerd's log unless it exits with 0. */
    public String docker(String... args) {
        return docker(new byte[0], args);
    }

    /** As {@link #docker(String...)}, with {@code stdin} as the CLI's input. */
    public String docker(byte[] stdin, String... args) {
        Result result = tryDocker(stdin, args);
        if (result.exitCode() != 0) {
            Assertions.fail("docker " + String.join(" ", args) + " exited with " + result.exitCode() + ": "
                    + result.stderr() + "\ndockerd's log:\n" + log());
        }
        return result.stdoutText();
    }

    /**
     * Runs Debian's {@code docker-compose} (1.x, which Debian 12 ships) with {@code ARGS...} against this daemon,
     * with the CLI's config dir of {@link #tryDocker}; fails the test unless it exits with 0, and returns its output.
     */
    public String compose(String... args) {
        List<String> command = new ArrayList<>(List.of(Tools.require("docker-compose", "docker-compose").toString()));
        command.addAll(List.of(args));
        Result result = ExternalCommand.run(command, Map.of("DOCKER_HOST", "unix://" + workDir.resolve("docker.sock"),
                "DOCKER_CONFIG", workDir.resolve("cli").toString()), new byte[0], COMMAND_TIMEOUT);
        if (result.exitCode() != 0) {
            Assertions.fail("docker-compose " + String.join(" ", args) + " exited with " + result.exitCode() + ": "
                    + result.stderr() + "\ndockerd's log:\n" + log());
        }
        // Compose reports its progress on stderr.
        return result.stdoutText() + result.stderr();
    }

    /** Everything dockerd logged so far, for failure messages. */
    public String log() {
        return dockerd.log();
    }

    /** Stops dockerd, then its containerd, each by its own PID. */
    @Override
    public void close() {
        try {
            dockerd.close();
        } finally {
            containerd.close();
        }
    }
}
