package dev.berth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** The Debian {@code docker-registry} (CNCF distribution), run on a free loopback port as a reference peer. */
public final class DistributionRegistry implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final LoggedProcess process;
    private final int port;
    private final RequestLog requestLog;

    private DistributionRegistry(LoggedProcess process, int port, List<String> prefix) {
        this.process = process;
        this.port = port;
        // Where it runs through a prefix, only curl run the same way reaches it.
        this.requestLog = prefix.isEmpty() ? new RequestLog(url(), process::log)
                : new RequestLog(url(), process::log, Curl.find(prefix)::get);
    }

    /** Starts a plain registry storing in {@code workDir} (created if needed), which also holds its config and log. */
    public static DistributionRegistry start(Path workDir) {
        return start(workDir, Optional.empty());
    }

    /** Starts a registry storing in {@code workDir}; with {@code proxyRemoteUrl} it is a pull-through cache of it. */
    public static DistributionRegistry start(Path workDir, Optional<String> proxyRemoteUrl) {
        return start(workDir, proxyRemoteUrl, List.of());
    }

    /**
     * Starts a plain registry through {@code prefix} (such as {@link NetworkNamespace#prefix()}); it is then
     * reachable only where {@code prefix} runs programs, so it is awaited with curl run the same way.
     */
    public static DistributionRegistry start(Path workDir, List<String> prefix) {
        return start(workDir, Optional.empty(), prefix);
    }

    /**
     * As {@link #start(Path, List)}, listening on every address of the namespace rather than on its loopback only: for
     * containers, which reach it through their gateway (such as Docker's {@code docker_gwbridge}).
     */
    public static DistributionRegistry startOnEveryAddress(Path workDir, List<String> prefix) {
        return start(workDir, Optional.empty(), prefix, "0.0.0.0");
    }

    /**
     * Starts a plain registry on loopback that lets in only the users of {@code htpasswd} (bcrypt entries), with a
     * Basic challenge, as a private registry behind a login.
     */
    public static DistributionRegistry startWithLogins(Path workDir, Path htpasswd) {
        return start(workDir, Optional.empty(), List.of(), "127.0.0.1",
                "auth:\n  htpasswd:\n    realm: private\n    path: " + htpasswd + "\n");
    }

    /**
     * Starts a plain registry on loopback that lets in only bearers of tokens from {@code tokens} (distribution's
     * token auth), challenging clients to fetch one there.
     */
    public static DistributionRegistry startWithTokens(Path workDir, RegistryTokenServer tokens) {
        String auth = "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + RegistryTokenServer.SERVICE
                + "\n    issuer: " + tokens.issuer() + "\n    rootcertbundle: " + tokens.rootCertificates() + "\n";
        return start(workDir, Optional.empty(), List.of(), "127.0.0.1", auth);
    }

    private static DistributionRegistry start(Path workDir, Optional<String> proxyRemoteUrl, List<String> prefix) {
        return start(workDir, proxyRemoteUrl, prefix, "127.0.0.1");
    }

    private static DistributionRegistry start(Path workDir, Optional<String> proxyRemoteUrl, List<String> prefix,
                                              String host) {
        return start(workDir, proxyRemoteUrl, prefix, host, "");
    }

    private static DistributionRegistry start(Path workDir, Optional<String> proxyRemoteUrl, List<String> prefix,
                                              String host, String auth) {
        Path executable = Tools.require("docker-registry", "docker-registry");
        try {
            int port = FreePort.pick();
            Files.createDirectories(workDir);
            Path config = workDir.resolve("config.yml");
            Files.writeString(config, config(workDir.resolve("storage"), host, port, proxyRemoteUrl) + auth);
            List<String> command = new ArrayList<>(prefix);
            command.addAll(List.of(executable.toString(), "serve", config.toString()));
            DistributionRegistry registry = new DistributionRegistry(
                    LoggedProcess.start("docker-registry", command, workDir.resolve("registry.log")), port, prefix);
            registry.process.awaitReady(STARTUP, prefix.isEmpty() ? registry::answers : registry.answersVia(prefix));
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String config(Path storage, String host, int port, Optional<String> proxyRemoteUrl) {
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
                  addr: %s:%d
                """.formatted(storage, host, port);
        return yaml + proxyRemoteUrl.map(url -> "proxy:\n  remoteurl: " + url + "\n").orElse("");
    }

    /** Whether {@code GET /v2/} answers to this JVM: 200, or 401 where it wants a login. */
    private boolean answers() {
        HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(2)).build();
        try {
            int status = HTTP.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 || status == 401;
        } catch (IOException e) {
            // Not listening or not answering yet.
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for docker-registry", e);
        }
    }

    /** Whether {@code GET /v2/} answers 2xx to curl run through {@code prefix}. */
    private BooleanSupplier answersVia(List<String> prefix) {
        Curl curl = Curl.find(prefix);
        return () -> curl.get(url() + "/v2/").exitCode() == 0;
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

    /**
     * The requests the registry has answered, oldest first (see {@link RequestLog#requests()}).
     */
    public List<RequestLog.Request> requests() {
        return requestLog.requests();
    }

    /** Its access log, read as requests. */
    public RequestLog requestLog() {
        return requestLog;
    }

    /**
     * Stops the registry's process (SIGSTOP), as an upstream that hangs: the kernel still accepts connections and
     * takes requests, and nothing answers them until {@link #thaw()}.
     */
    public void freeze() {
        signal("-STOP");
    }

    /** Lets a frozen registry run on (SIGCONT). */
    public void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        ExternalCommand.succeed(List.of("kill", signal, String.valueOf(process.pid())), Duration.ofSeconds(10));
    }

    /** Stops the registry (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
    @Override
    public void close() {
        process.close();
    }
}
