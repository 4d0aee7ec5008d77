package dev.berth.support;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A network namespace of the test's own with only loopback up: what runs in it cannot reach past the machine. */
public final class NetworkNamespace implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    // Where "ip netns add" bind-mounts a named namespace, which keeps it alive with no process in it.
    private static final Path NAMED_NAMESPACES = Path.of("/var/run/netns");

    private final Path ip;
    private final Path nsenter;
    private final String name;

    private NetworkNamespace(Path ip, Path nsenter, String name) {
        this.ip = ip;
        this.nsenter = nsenter;
        this.name = name;
    }

    /** Creates {@code berth-e2e-<random>} and brings its loopback up; skips the test (fails it on CI) unless root. */
    public static NetworkNamespace create() {
        Tools.requireRoot("creating a network namespace");
        Path ip = Tools.require("ip", "iproute2");
        Path nsenter = Tools.require("nsenter", "util-linux");
        NetworkNamespace namespace = new NetworkNamespace(ip, nsenter,
                "berth-e2e-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt()));
        namespace.ip("netns", "add", namespace.name);
        try {
            namespace.ip("-n", namespace.name, "link", "set", "lo", "up");
        } catch (RuntimeException | Error e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    /**
     * The command words that run a program inside. nsenter enters the network namespace only; "ip netns exec"
     * would also mount a fresh /sys, which hides the cgroup mounts under /sys/fs/cgroup that dockerd needs.
     */
    public List<String> prefix() {
        return List.of(nsenter.toString(), "--net=" + NAMED_NAMESPACES.resolve(name));
    }

    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of(ip.toString()));
        command.addAll(List.of(args));
        ExternalCommand.succeed(command, TIMEOUT);
    }

    /** Deletes the namespace; stop the programs in it first, since the namespace lives on while any does. */
    @Override
    public void close() {
        ip("netns", "delete", name);
    }
}
