package dev.berth.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A plain HTTP receiver of webhooks in a JVM of its own, started through a command prefix (a network namespace that
 * only berth shares): it answers every POST with 200 and keeps its Content-Type and body in a file the test reads.
 */
public final class HookReceiver implements AutoCloseable {
    private static final String LISTENING = "receiver listening on port ";
    private static final int MAX_BODY = 4 << 20;
    private static final String SUFFIX = ".post";

    private final LoggedProcess process;
    private final int port;
    private final Path posts;

    /** One POST as received: its {@code Content-Type} header and its body. */
    public record Post(String contentType, byte[] body) {
    }

    private HookReceiver(LoggedProcess process, int port, Path posts) {
        this.process = process;
        this.port = port;
        this.posts = posts;
    }

    /**
     * Starts a receiver through {@code prefix} (such as {@link NetworkNamespace#prefix()}) on loopback port
     * {@code port}, keeping what it receives and its log in {@code directory}; waits until it listens.
     */
    public static HookReceiver start(List<String> prefix, int port, Path directory) {
        try {
            Path posts = Files.createDirectories(directory.resolve("posts"));
            Path log = directory.resolve("receiver.log");
            LoggedProcess child = LoggedProcess.start("the receiver",
                    ChildBerth.supportCommand(prefix, HookReceiver.class, Integer.toString(port), posts.toString()),
                    log);
            child.awaitReady(Duration.ofSeconds(60), () -> child.log().contains(LISTENING));
            return new HookReceiver(child, port, posts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of {@code path} on this receiver, as seen from inside the prefix's namespace. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The POSTs received so far, in the order they arrived. */
    public List<Post> posts() {
        try (Stream<Path> files = Files.list(posts)) {
            List<Post> received = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(SUFFIX)).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(file);
                int newline = indexOf(bytes, (byte) '\n');
                received.add(new Post(new String(bytes, 0, newline, StandardCharsets.UTF_8),
                        Arrays.copyOfRange(bytes, newline + 1, bytes.length)));
            }
            return received;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the receiver printed (its errors). */
    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }

    /** Receives on loopback port {@code args[0]} into the directory {@code args[1]} until the process ends. */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path posts = Path.of(args[1]);
        AtomicInteger count = new AtomicInteger();
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                receive(exchange, posts, count);
            }
        });
        server.start();
        System.out.println(LISTENING + server.getAddress().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }

    private static void receive(HttpExchange exchange, Path posts, AtomicInteger count) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            exchange.sendResponseHeaders(413, -1);
            return;
        }
        String contentType = Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst("Content-Type"), "");
        // Written whole under another name first, so that the test never reads half a POST.
        Path partial = posts.resolve("partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            out.write((contentType.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(body);
        }
        Files.move(partial, posts.resolve("%06d%s".formatted(count.incrementAndGet(), SUFFIX)),
                StandardCopyOption.ATOMIC_MOVE);
        exchange.sendResponseHeaders(200, -1);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        throw new IllegalStateException("no header line in a kept POST");
    }
}
