package dev.berth.http;

import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Keeps berth listening. Helidon's web server ends its listener for good on any error from accepting a connection
 * (out of file descriptors, say): it closes the port, and its accept thread waits for itself forever. It cannot be
 * started again; when its port refuses connections, a new server takes the port, tried again with backoff until it
 * can bind, while the process and everything but the connections lives on.
 */
public final class Listener implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Listener.class.getName());
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final IntFunction<WebServer> servers;
    private final int port;
    private final InetSocketAddress probe;
    private final Thread watcher;
    /** Set when the JVM begins to exit: Helidon's own shutdown hook then closes the port, which is no error. */
    private final Thread exitHook = new Thread(() -> shuttingDown = true, "berth-listener-exit");
    private volatile WebServer server;
    private volatile boolean closed;
    private volatile boolean shuttingDown;

    private Listener(IntFunction<WebServer> servers, WebServer server, String host) {
        this.servers = servers;
        this.server = server;
        this.port = server.port();
        this.probe = new InetSocketAddress(probeHost(host), port);
        Runtime.getRuntime().addShutdownHook(exitHook);
        // Not a daemon: while the port is closed, this thread is what keeps the process from ending.
        this.watcher = Thread.ofPlatform().name("berth-listener-watch").start(this::watch);
    }

    /**
     * Starts the server that {@code servers} builds (unstarted) for a port, first for {@code port} (0: any free one)
     * on {@code host}, and watches it; empty when it cannot listen (the web server has logged why).
     */
    public static Optional<Listener> start(IntFunction<WebServer> servers, String host, int port) {
        readyVirtualThreadPoller();
        WebServer first = servers.apply(port).start();
        if (!first.isRunning()) {
            return Optional.empty();
        }
        return Optional.of(new Listener(servers, first, host));
    }

    /** The port listened on. */
    public int port() {
        return port;
    }

    /** The port the current server's listener named {@code socket} listens on; -1 when it has none. */
    public int port(String socket) {
        return server.port(socket);
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(CHECK_EVERY);
                // Refused twice: a stop at exit closes the port a moment before the exit hook says so.
                if (refused() && !sleepThenClosed() && refused() && !closed && !shuttingDown) {
                    listenAgain();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean sleepThenClosed() throws InterruptedException {
        Thread.sleep(CHECK_EVERY);
        return closed || shuttingDown;
    }

    /**
     * Whether the port refuses a connection, as it does once closed. A connection that waits (a full backlog) or
     * cannot be made here (no file descriptors left) tells nothing: the port is taken as open.
     */
    private boolean refused() {
        try (Socket socket = new Socket()) {
            socket.connect(probe, CONNECT_TIMEOUT_MILLIS);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void listenAgain() throws InterruptedException {
        LOG.log(Logger.Level.ERROR, "the web server stopped listening on port " + port + " (see the error above);"
                + " listening again in " + FIRST_BACKOFF.toMillis() + " ms");
        server.stop();
        Duration backoff = FIRST_BACKOFF;
        while (!closed) {
            Thread.sleep(backoff);
            WebServer next;
            try {
                next = servers.apply(port).start();
            } catch (RuntimeException e) {
                // Out of file descriptors, a new server may not even be built: the same as a failed bind.
                LOG.log(Logger.Level.WARNING, "building the web server failed: " + e);
                next = null;
            }
            if (next != null && next.isRunning()) {
                synchronized (this) {
                    if (closed) {
                        next.stop();
                        return;
                    }
                    server = next;
                }
                LOG.log(Logger.Level.INFO, "listening again on port " + port);
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            LOG.log(Logger.Level.WARNING, "cannot listen on port " + port + " yet; trying again in "
                    + backoff.toSeconds() + " s");
        }
    }

    /**
     * Has the JVM set up the poller that parks virtual threads in blocking I/O (every connection's reader is one),
     * which it otherwise does on first use: when that first use comes with no file descriptor left, the setup fails
     * for good and so does every later blocking read on a virtual thread, after the files are back too.
     */
    private static void readyVirtualThreadPoller() {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            accepted.setSoTimeout(1);
            // Nothing to read: the virtual thread parks on the poller until the timeout.
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    accepted.getInputStream().read();
                } catch (IOException expected) {
                    // The timeout.
                }
            });
            reader.join();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up blocking I/O for virtual threads", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where this host reaches a server listening on {@code host}: loopback for the wildcard addresses. */
    private static InetAddress probeHost(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
        } catch (UnknownHostException e) {
            return InetAddress.getLoopbackAddress();
        }
    }

    /** Stops listening for good: the server's own stop, which lets requests in progress finish. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        watcher.interrupt();
        try {
            watcher.join(Duration.ofSeconds(10));
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            // The JVM is exiting: its hooks stay.
        }
        server.stop();
    }
}
