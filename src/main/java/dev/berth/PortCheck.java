package dev.berth;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * Binds berth's address once before the web server does, so a taken port is a {@link StartupFailure} of one line
 * rather than the web server's logged stack trace and a server that never listened.
 */
final class PortCheck {
    private PortCheck() {
    }

    /** Throws {@link StartupFailure} naming server.port when {@code host:port} cannot be bound now. */
    static void requireFree(String host, int port) {
        requireFree(host, port, "server.port");
    }

    /** Throws {@link StartupFailure} naming {@code key}, the port's, when {@code host:port} cannot be bound now. */
    static void requireFree(String host, int port, String key) {
        if (port == 0) {
            return;
        }
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            // As the web server binds: a port in TIME_WAIT after a restart is free.
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new StartupFailure(reason(host, port, key, e));
        }
    }

    private static String reason(String host, int port, String key, IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return switch (why) {
            case "Address already in use" -> key + " " + port + ": address already in use";
            case "Permission denied" -> key + " " + port + ": permission denied (ports below 1024 need root"
                    + " or CAP_NET_BIND_SERVICE)";
            case "Cannot assign requested address" -> "server.host " + host + ": not an address of this machine";
            default -> "server.host " + host + ", " + key + " " + port + ": cannot listen: " + why;
        };
    }
}
