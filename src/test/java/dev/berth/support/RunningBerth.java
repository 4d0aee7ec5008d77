package dev.berth.support;

import dev.berth.BerthServer;
import dev.berth.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** A berth started in this JVM on a free loopback port, over a data directory the test owns. */
public final class RunningBerth implements AutoCloseable {
    private final BerthServer server;
    private final TestClient client;

    private RunningBerth(BerthServer server, TestClient client) {
        this.server = server;
        this.client = client;
    }

    /** Starts berth with its data in {@code root} and any extra top-level YAML sections. */
    public static RunningBerth start(Path root, String extraYaml) {
        return start(root, extraYaml, Clock.systemUTC());
    }

    /** As {@link #start(Path, String)}, with the clock that tag TTLs, negative caching and token expiry follow. */
    public static RunningBerth start(Path root, String extraYaml, Clock clock) {
        BerthServer server = BerthServer.start(ConfigLoader.fromYaml(BerthYaml.onLoopback(root, extraYaml)), clock);
        return new RunningBerth(server, new TestClient(URI.create("http://127.0.0.1:" + server.port())));
    }

    /**
     * Starts berth serving HTTPS with {@code certs}' chain and {@code key} (a format of its key), and any extra
     * top-level YAML sections; its client trusts the test CA and offers HTTP/2.
     */
    public static RunningBerth startHttps(Path root, TestCertificates certs, Path key, String extraYaml) {
        return startHttps(root, certs, key, extraYaml, Clock.systemUTC());
    }

    /** As {@link #startHttps(Path, TestCertificates, Path, String)}, with the clock berth follows. */
    public static RunningBerth startHttps(Path root, TestCertificates certs, Path key, String extraYaml, Clock clock) {
        BerthServer server = start("{host: 127.0.0.1, port: 0, tls: {cert: '" + certs.chain() + "', key: '" + key
                + "'}}", BerthYaml.storage(root), extraYaml, clock);
        HttpClient http = HttpClient.newBuilder().sslContext(certs.clientContext())
                .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
        return new RunningBerth(server, new TestClient(URI.create("https://127.0.0.1:" + server.port()), http));
    }

    private static BerthServer start(String serverYaml, String storageYaml, String extraYaml, Clock clock) {
        return BerthServer.start(ConfigLoader.fromYaml(BerthYaml.of(serverYaml, storageYaml, extraYaml)), clock);
    }

    /** Starts berth with {@code storageYaml} as its whole {@code storage} section (a bucket, say), and extra sections. */
    public static RunningBerth startWithStorage(String storageYaml, String extraYaml) {
        BerthServer server = start(BerthYaml.LOOPBACK, storageYaml, extraYaml, Clock.systemUTC());
        return new RunningBerth(server, new TestClient(URI.create("http://127.0.0.1:" + server.port())));
    }

    /** Starts berth with default settings and its data in {@code root}. */
    public static RunningBerth start(Path root) {
        return start(root, "");
    }

    public int port() {
        return server.port();
    }

    /** A client pointed at this berth. */
    public TestClient client() {
        return client;
    }

    /**
     * A client pointed at this berth whose connections come from {@code localAddress}, a loopback address such as
     * 127.0.0.2: for per-client limits, which tell clients apart by address.
     */
    public TestClient clientFrom(String localAddress) {
        try {
            HttpClient http = HttpClient.newBuilder().localAddress(InetAddress.getByName(localAddress))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            return new TestClient(URI.create("http://127.0.0.1:" + port()), http);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
