package dev.berth.http;

import io.helidon.webserver.http.ServerRequest;

/**
 * The client behind a request, as {@link TrustedProxies} found it: its IP address, whether the request says a proxy
 * forwarded it (whoever says so: such a request is never a caller on berth's own host), and whether the client
 * reached berth over HTTPS (itself, or a trusted proxy that ended TLS).
 */
public record RequestClient(String address, boolean proxied, boolean https) {
    private static final String KEY = "berth.client";

    static void set(ServerRequest req, RequestClient client) {
        req.context().register(KEY, client);
    }

    /** The client of {@code req}; where no filter resolved it, the connection's peer, trusting no proxy. */
    public static RequestClient of(ServerRequest req) {
        return req.context().get(KEY, RequestClient.class).orElseGet(() -> TrustedProxies.NONE.resolve(req));
    }
}
