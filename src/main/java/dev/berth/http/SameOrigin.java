package dev.berth.http;

import dev.berth.oci.ErrorText;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.URI;
import java.util.Optional;

/**
 * The check that keeps other web sites from acting through a visitor's browser (and the credentials or cookie it
 * holds for berth): a browser names the page that sent a request in {@code Origin} (always, for a POST, PUT, PATCH or
 * DELETE, {@code mode: "no-cors"} included), which must be berth's own, the host the request was sent to; and says in
 * {@code Sec-Fetch-Site} whether that page is of another site. Clients that are no browser (docker, skopeo,
 * containerd, curl) send neither and pass.
 */
public final class SameOrigin {
    private static final HeaderName SEC_FETCH_SITE = HeaderNames.create("Sec-Fetch-Site");

    private SameOrigin() {
    }

    /** Whether {@code req} came from no browser page, or from one of berth's own. */
    public static boolean holds(ServerRequest req) {
        return refusal(req).isEmpty();
    }

    /** Why {@code req} came from another web site's page, for the answer that refuses it; empty when it did not. */
    public static Optional<String> refusal(ServerRequest req) {
        // same-site is another origin of the same site (another port, another subdomain): not berth's page either.
        Optional<String> site = req.headers().first(SEC_FETCH_SITE).map(String::trim)
                .filter(s -> s.equalsIgnoreCase("cross-site") || s.equalsIgnoreCase("same-site"));
        if (site.isPresent()) {
            return Optional.of("the browser says a page of another origin sent it (Sec-Fetch-Site: "
                    + ErrorText.shorten(site.get()) + ")");
        }
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN).map(String::trim);
        Optional<String> host = req.headers().first(HeaderNames.HOST).map(String::trim);
        if (origin.isEmpty() || host.isPresent() && sameHost(origin.get(), host.get())) {
            return Optional.empty();
        }
        return Optional.of("a page of " + ErrorText.shorten(origin.get()) + " sent it, not one of berth's own ("
                + ErrorText.shorten(host.orElse("no Host")) + ")");
    }

    /**
     * Why {@code req} came from a web page, whichever its origin; empty when no browser page sent it. For the registry
     * API, which no page of berth's writes to: a page that rebinds a name of its own to berth's address is of the
     * "same origin" as far as the browser can tell, so only refusing every page keeps such a page from pushing.
     */
    public static Optional<String> pageSent(ServerRequest req) {
        Optional<String> site = req.headers().first(SEC_FETCH_SITE).map(String::trim)
                .filter(s -> !s.equalsIgnoreCase("none"));
        if (site.isPresent()) {
            return Optional.of("the browser says a web page sent it (Sec-Fetch-Site: " + ErrorText.shorten(site.get())
                    + ")");
        }
        return req.headers().first(HeaderNames.ORIGIN).map(String::trim)
                .map(origin -> "a page of " + ErrorText.shorten(origin) + " sent it");
    }

    /** Whether the page {@code origin} is at {@code host}, the authority the request was sent to. */
    private static boolean sameHost(String origin, String host) {
        try {
            URI uri = URI.create(origin);
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return uri.getHost() != null && (authority.equalsIgnoreCase(host)
                    || withDefaultPort(uri).equalsIgnoreCase(host));
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
