package dev.berth.http;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.berth.config.BerthConfig;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds client connections: how many are open, in all and from one client, how long a new one may take to send its
 * first request head, and how long one may sit idle between requests. Past a cap a new connection is closed at once.
 */
public final class ConnectionLimits implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ConnectionLimits.class.getName());
    /** At most one warning this often while connections are refused: a flood must not flood the log too. */
    private static final long WARN_EVERY = Duration.ofMinutes(1).toNanos();
    /**
     * Heap an open connection may take: measured, about 15 KiB before its first request and 36 KiB kept alive after
     * one (Helidon's buffers and the connection's state).
     */
    static final long HEAP_PER_CONNECTION = 40 * 1024;

    private final int maxConnections;
    private final int maxPerClient;
    private final long headNanos;
    private final long idleNanos;
    private final Map<SocketAddress, Connection> open = new ConcurrentHashMap<>();
    private final Map<String, Integer> perClient = new ConcurrentHashMap<>();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY);
    private final AtomicLong refusedSinceWarning = new AtomicLong();
    private final Thread reaper;
    private volatile boolean closed;

    /**
     * Limits of {@code maxConnections} open connections in all and {@code maxPerClient} from one client (an IPv4
     * address, an IPv6 /64); a connection is closed when its first request head is not complete within
     * {@code headTimeout}, or when the next is not complete within {@code idleTimeout} of the last response.
     */
    public ConnectionLimits(int maxConnections, int maxPerClient, Duration headTimeout, Duration idleTimeout) {
        this.maxConnections = maxConnections;
        this.maxPerClient = maxPerClient;
        this.headNanos = headTimeout.toNanos();
        this.idleNanos = idleTimeout.toNanos();
        // A fraction of the shorter bound: a connection is closed at most a quarter late.
        long period = Math.clamp(Math.min(headNanos, idleNanos) / 4, Duration.ofMillis(50).toNanos(),
                Duration.ofSeconds(1).toNanos());
        this.reaper = Thread.ofPlatform().daemon().name("berth-connection-reaper").start(() -> reap(period));
    }

    /**
     * Limits as {@code limits} configures them, with caps sized from this process's file descriptors and heap where
     * it names none: a quarter of all connections from one client.
     */
    public static ConnectionLimits of(BerthConfig.Limits limits) {
        int max = limits.maxConnections().orElseGet(() -> {
            long files = fileDescriptorLimit();
            int sized = defaultMaxConnections(files, Runtime.getRuntime().maxMemory());
            LOG.log(Logger.Level.INFO, "at most " + sized + " connections open at once (limits.max-connections),"
                    + " from the limit of " + files + " open files and the heap");
            return sized;
        });
        int perClient = limits.maxConnectionsPerClient().orElse(Math.max(1, max / 4));
        return new ConnectionLimits(max, perClient, limits.requestHeadTimeout(), limits.idleTimeout());
    }

    /** How many files this process may have open; where the system does not say, a common default. */
    static long fileDescriptorLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : 4096;
    }

    /**
     * The default cap for {@code limits.max-connections}: what the process's file descriptors leave after a reserve
     * for blob files, upstream sockets and the JVM's own files (a quarter, at least 256), and no more than half the
     * heap holds at what a connection costs, the other half being for the work the requests make.
     */
    static int defaultMaxConnections(long fileDescriptors, long maxHeapBytes) {
        long byFiles = fileDescriptors - Math.max(256, fileDescriptors / 4);
        long byHeap = maxHeapBytes / 2 / HEAP_PER_CONNECTION;
        return (int) Math.clamp(Math.min(byFiles, byHeap), 16, Integer.MAX_VALUE);
    }

    /**
     * Socket options for the listener that apply {@code base} to each accepted connection and admit it, or refuse it
     * past a cap: the web server then closes it before reading a byte.
     */
    public SocketOptions socketOptions(SocketOptions base) {
        return new Admission(base);
    }

    /** The filter, outermost of all, that tells requests in progress from idle connections. */
    public Filter filter() {
        return this::filter;
    }

    /** Connections open now, as the last admission or the reaper's last round counted them. */
    public int openConnections() {
        return open.size();
    }

    private void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Connection connection = open.get(req.remotePeer().address());
        if (connection == null) {
            chain.proceed();
            return;
        }
        boolean http11 = req.prologue().protocolVersion().equals("1.1");
        if (http11 && req.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            // Helidon 4.5.0 answers "Connection: close" but then waits for another request on the connection
            // (helidon#12324), so a client reading to the end of the stream would wait for the idle timeout. Ending
            // the output once the last byte is written gives it that end; Helidon closes the socket when the client
            // does.
            res.whenSent(connection::endOutput);
        }
        connection.active.incrementAndGet();
        try {
            chain.proceed();
        } finally {
            connection.idleSince = System.nanoTime();
            connection.served = true;
            connection.active.decrementAndGet();
        }
    }

    private void admit(SocketChannel channel) {
        SocketAddress remote;
        try {
            remote = channel.getRemoteAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String client = client(remote);
        Connection stale = open.get(remote);
        if (stale != null) {
            // The same address and port again: the earlier connection has ended, not yet counted out.
            forget(remote, stale);
        }
        if (open.size() >= maxConnections || perClient.getOrDefault(client, 0) >= maxPerClient) {
            forgetClosed();
        }
        if (open.size() >= maxConnections) {
            throw refused("more than " + maxConnections + " connections open (limits.max-connections)");
        }
        boolean[] admitted = {false};
        perClient.compute(client, (key, count) -> {
            int now = count == null ? 0 : count;
            if (now >= maxPerClient) {
                return count;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            throw refused("more than " + maxPerClient + " connections open from " + client
                    + " (limits.max-connections-per-client)");
        }
        open.put(remote, new Connection(channel, client, System.nanoTime()));
    }

    private RuntimeException refused(String why) {
        refusedSinceWarning.incrementAndGet();
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY && lastWarning.compareAndSet(last, now)) {
            long others = refusedSinceWarning.getAndSet(0) - 1;
            LOG.log(Logger.Level.WARNING, "closing new connections at once: " + why
                    + (others > 0 ? " (and " + others + " more refused since the last warning)" : ""));
        }
        return new IllegalStateException("connection refused: " + why);
    }

    private void reap(long periodNanos) {
        while (!closed) {
            try {
                Thread.sleep(Duration.ofNanos(periodNanos));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            open.forEach((remote, connection) -> {
                if (!connection.channel.isOpen()) {
                    forget(remote, connection);
                } else if (connection.overdue(now, headNanos, idleNanos)) {
                    closeQuietly(connection.channel);
                    forget(remote, connection);
                }
            });
        }
    }

    private void forgetClosed() {
        open.forEach((remote, connection) -> {
            if (!connection.channel.isOpen()) {
                forget(remote, connection);
            }
        });
    }

    private void forget(SocketAddress remote, Connection connection) {
        if (open.remove(remote, connection)) {
            perClient.computeIfPresent(connection.client, (key, count) -> count == 1 ? null : count - 1);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            // From this thread: the connection's reader, blocked in a read, fails and the web server ends it.
            channel.close();
        } catch (IOException e) {
            LOG.log(Logger.Level.DEBUG, "closing an overdue connection failed", e);
        }
    }

    /** The client a connection counts against: its IPv4 address, or the /64 of its IPv6 address. */
    static String client(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(remote);
        }
        InetAddress address = inet.getAddress();
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return address.getHostAddress();
    }

    @Override
    public void close() {
        closed = true;
        reaper.interrupt();
    }

    /** One open connection: when it was accepted or last answered, and how many of its requests are in progress. */
    private static final class Connection {
        final SocketChannel channel;
        final String client;
        final AtomicInteger active = new AtomicInteger();
        volatile long idleSince;
        volatile boolean served;

        Connection(SocketChannel channel, String client, long acceptedAt) {
            this.channel = channel;
            this.client = client;
            this.idleSince = acceptedAt;
        }

        /** Whether no request is in progress and the next head is later than its bound allows. */
        boolean overdue(long now, long headNanos, long idleNanos) {
            return active.get() == 0 && now - idleSince > (served ? idleNanos : headNanos);
        }

        /** Sends the end of the stream after what was written; the client then closes, and so does the server. */
        void endOutput() {
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                LOG.log(Logger.Level.DEBUG, "ending the output of a connection asked to close failed", e);
            }
        }
    }

    /** The listener's socket options, applied to each connection it accepts after admitting it. */
    private final class Admission implements SocketOptions {
        private final SocketOptions base;

        Admission(SocketOptions base) {
            this.base = base;
        }

        @Override
        public void configureSocket(SocketChannel socket) {
            // Thrown from here, the web server closes the connection and reads nothing from it.
            admit(socket);
            base.configureSocket(socket);
        }

        @Override
        public Map<SocketOption<?>, Object> socketOptions() {
            return base.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return base.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return base.readTimeout();
        }

        @Override
        public Optional<Integer> socketReceiveBufferSize() {
            return base.socketReceiveBufferSize();
        }

        @Override
        public Optional<Integer> socketSendBufferSize() {
            return base.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return base.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return base.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return base.tcpNoDelay();
        }
    }
}
