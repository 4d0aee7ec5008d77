package dev.berth.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.URI;
import java.util.Optional;

/**
 * The check that keeps other web sites from acting through a visitor's browser: a browser names the page that sent a
 * request in {@code Origin} (always, for a cross-origin POST, PUT or DELETE), and it must be berth's own, the host the
 * request was sent to. Clients that are no browser send no {@code Origin} and pass.
 */
public final class SameOrigin {
    private SameOrigin() {
    }

    /** Whether {@code req} came from no browser page, or from one of berth's own. */
    public static boolean holds(ServerRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return true;
        }
        Optional<String> host = req.headers().first(HeaderNames.HOST);
        try {
            URI uri = URI.create(origin.get().trim());
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return host.isPresent() && uri.getHost() != null && (authority.equalsIgnoreCase(host.get())
                    || withDefaultPort(uri).equalsIgnoreCase(host.get()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code host:port} with the scheme's port spelt out, as some clients write {@code Host}. */
    private static String withDefaultPort(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }
}
