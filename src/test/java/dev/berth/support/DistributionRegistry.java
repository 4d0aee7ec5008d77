package dev.berth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;

/** The Debian {@code docker-registry} (CNCF distribution), run on a free loopback port as a reference peer. */
public final class DistributionRegistry implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(50);
    // The request part of a combined-log-format line: "GET /v2/... HTTP/1.1" 200
    private static final Pattern ACCESS_LINE = Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");
    // requests() sends these to find the end of the log; they are left out of what it returns.
    private static final String MARKER = "/v2/?requests-marker=";

    private final AtomicInteger markers = new AtomicInteger();

    private final Process process;
    private final int port;
    private final Path log;

    private DistributionRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a plain registry storing in {@code workDir}, which also holds its config and log. */
    public static DistributionRegistry start(Path workDir) {
        return start(workDir, Optional.empty());
    }

    /** Starts a registry storing in {@code workDir}; with {@code proxyRemoteUrl} it is a pull-through cache of it. */
    public static DistributionRegistry start(Path workDir, Optional<String> proxyRemoteUrl) {
        Path executable = Tools.require("docker-registry", "docker-registry");
        try {
            int port = freePort();
            Path config = workDir.resolve("config.yml");
            Path log = workDir.resolve("registry.log");
            Files.writeString(config, config(workDir.resolve("storage"), port, proxyRemoteUrl));
            Process process = new ProcessBuilder(executable.toString(), "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            DistributionRegistry registry = new DistributionRegistry(process, port, log);
            try {
                registry.awaitReady();
            } catch (RuntimeException | Error e) {
                registry.close();
                throw e;
            }
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // The access log (one line per answered request, on stdout, so in the log file) is what requests() reads.
    private static String config(Path storage, int port, Optional<String> proxyRemoteUrl) {
        String yaml = """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: false
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(storage, port);
        return yaml + proxyRemoteUrl.map(url -> "proxy:\n  remoteurl: " + url + "\n").orElse("");
    }

    /** A port that was free a moment ago; the registry must bind it itself, so a small race remains. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Polls {@code GET /v2/} until it answers 200, failing early with the log if the registry exits. */
    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(STARTUP);
        while (true) {
            if (!process.isAlive()) {
                Assertions.fail("docker-registry exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening or not answering yet: try again until the deadline.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for docker-registry", e);
            }
            if (Instant.now().isAfter(deadline)) {
                Assertions.fail("docker-registry did not answer GET /v2/ within " + STARTUP + ":\n" + logText());
            }
            try {
                process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for docker-registry", e);
            }
        }
    }

    /** The loopback port it listens on. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, as image references name it. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://" + hostPort();
    }

    /** One request as the registry's access log records it: method, path with query, and response status. */
    public record Request(String method, String path, int status) {
    }

    /**
     * The requests the registry has answered, oldest first. A request's line is logged as its handler returns, so
     * this first sends a marker request and polls for the marker's line: by then the requests answered before this
     * call are in the log too, with no sleep to guess how long logging takes.
     */
    public List<Request> requests() {
        String marker = MARKER + markers.incrementAndGet();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + marker)).timeout(Duration.ofSeconds(5)).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            Assertions.assertEquals(200, status, "docker-registry answered the marker request");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking docker-registry", e);
        }
        Instant deadline = Instant.now().plus(STARTUP);
        while (true) {
            List<Request> logged = new ArrayList<>();
            for (String line : logText().split("\n")) {
                Matcher m = ACCESS_LINE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                if (m.group(2).equals(marker)) {
                    return logged;
                }
                if (!m.group(2).startsWith(MARKER)) {
                    logged.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
                }
            }
            if (Instant.now().isAfter(deadline)) {
                Assertions.fail("docker-registry did not log " + marker + " within " + STARTUP + ":\n" + logText());
            }
            try {
                process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the docker-registry log", e);
            }
        }
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the registry (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
