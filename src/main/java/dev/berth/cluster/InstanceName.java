package dev.berth.cluster;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The name an instance goes by in a shared store (its access records, the leases it holds): from {@code cluster.self}
 * when set, else from the host's name and the port (the process id with port 0, which any number of instances on one
 * host share), in the characters a storage key allows.
 */
public final class InstanceName {
    private InstanceName() {
    }

    /** The name of the instance reached at {@code self}, or else running on this host at {@code port}. */
    public static String of(Optional<URI> self, int port) {
        String raw = self.map(uri -> uri.getHost() + "-" + (uri.getPort() < 0 ? 80 : uri.getPort()))
                .orElseGet(() -> hostName() + "-" + (port == 0 ? "pid" + ProcessHandle.current().pid() : port));
        String name = raw.replaceAll("[^A-Za-z0-9._-]", "_");
        return name.startsWith(".") || name.startsWith("-") ? "_" + name : name;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "berth";
        }
    }
}
