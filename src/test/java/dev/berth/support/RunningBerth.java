package dev.berth.support;

import dev.berth.BerthServer;
import dev.berth.config.ConfigLoader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/** A berth started in this JVM on a free loopback port, over a data directory the test owns. */
public final class RunningBerth implements AutoCloseable {
    private final BerthServer server;
    private final TestClient client;

    private RunningBerth(BerthServer server) {
        this.server = server;
        this.client = new TestClient(URI.create("http://127.0.0.1:" + server.port()));
    }

    /** Starts berth with its data in {@code root} and any extra top-level YAML sections. */
    public static RunningBerth start(Path root, String extraYaml) {
        return start(root, extraYaml, Clock.systemUTC());
    }

    /** As {@link #start(Path, String)}, with the clock that tag TTLs, negative caching and token expiry follow. */
    public static RunningBerth start(Path root, String extraYaml, Clock clock) {
        String yaml = "server: {host: 127.0.0.1, port: 0}\nstorage: {root: '" + root + "'}\n" + extraYaml;
        return new RunningBerth(BerthServer.start(ConfigLoader.fromYaml(yaml), clock));
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

    @Override
    public void close() {
        server.close();
    }
}
