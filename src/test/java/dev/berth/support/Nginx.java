package dev.berth.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Debian's nginx in front of several berths, with the site configuration docs/fleet.md gives for that (taken from the
 * document itself, so a test checks what users copy): its upstream servers and listen port replaced by the test's.
 */
public final class Nginx implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final Pattern SITE = Pattern.compile("```nginx\n(upstream berth \\{.*?)```", Pattern.DOTALL);

    private final LoggedProcess process;
    private final int port;

    private Nginx(LoggedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** docs/fleet.md's nginx site, as written there. */
    public static String documentedSite() {
        try {
            String doc = Files.readString(Path.of(System.getProperty("basedir", "."), "docs", "fleet.md"));
            Matcher block = SITE.matcher(doc);
            if (!block.find()) {
                throw new IllegalStateException("no nginx block starting with 'upstream berth {' in docs/fleet.md");
            }
            return block.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts nginx in {@code workDir} with docs/fleet.md's site, balancing over berths on {@code backendPorts}. */
    public static Nginx start(Path workDir, List<Integer> backendPorts) {
        return start(workDir, backendPorts, "");
    }

    /**
     * As {@link #start(Path, List)}, with {@code directives} added to the site's location (such as
     * {@code limit_rate 16m;}, for a slow server to put in front of a fast one).
     */
    public static Nginx start(Path workDir, List<Integer> backendPorts, String directives) {
        return start(workDir, backendPorts, directives, "");
    }

    /**
     * As {@link #start(Path, List)}, with nginx ending TLS with {@code certs}' chain and key, as a balancer in front of
     * plain-HTTP berths does.
     */
    public static Nginx startTls(Path workDir, List<Integer> backendPorts, TestCertificates certs) {
        return start(workDir, backendPorts, "", " ssl;\n    ssl_certificate " + certs.chain()
                + ";\n    ssl_certificate_key " + certs.key());
    }

    private static Nginx start(Path workDir, List<Integer> backendPorts, String directives, String listenTail) {
        Path executable = Tools.require("nginx", "nginx");
        try {
            int port = FreePort.pick();
            Files.createDirectories(workDir.resolve("logs"));
            String servers = backendPorts.stream().map(p -> "    server 127.0.0.1:" + p + " max_fails=1 fail_timeout=5s;")
                    .collect(Collectors.joining("\n"));
            String site = documentedSite()
                    .replaceAll("(?m)^\\s*server \\S+:5000[^;]*;\\n", "")
                    .replaceFirst("upstream berth \\{\\n", "upstream berth {\n" + servers + "\n")
                    .replaceFirst("listen 5000;",
                            Matcher.quoteReplacement("listen 127.0.0.1:" + port + listenTail + ";"))
                    .replaceFirst("location / \\{\n", "location / {\n        " + directives + "\n");
            Files.writeString(workDir.resolve("nginx.conf"), """
                    daemon off;
                    master_process off;
                    worker_processes 1;
                    pid %1$s/nginx.pid;
                    error_log %1$s/logs/error.log warn;
                    events { worker_connections 1024; }
                    http {
                        access_log %1$s/logs/access.log;
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                    %2$s
                    }
                    """.formatted(workDir, site));
            LoggedProcess process = LoggedProcess.start("nginx", List.of(executable.toString(), "-p", workDir.toString(),
                    "-c", workDir.resolve("nginx.conf").toString()), workDir.resolve("nginx.log"));
            Nginx nginx = new Nginx(process, port);
            process.awaitReady(STARTUP, nginx::listens);
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean listens() {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** What nginx logged, for failure messages. */
    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
