package dev.berth.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The routing of {@code server.tls.redirect-port}'s plain-HTTP listener: every request, whatever its method and
 * path, is answered 308 with the same URL over HTTPS on berth's TLS port (308 rather than 301: a client repeats a
 * POST or PUT as it was). It serves nothing else: no registry, no health, no page.
 */
public final class HttpsRedirect implements Handler {
    /** A host name or IPv4 address, or a bracketed IPv6 address, then an optional port: what a Host header holds. */
    private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+)(?::\\d{1,5})?");

    private final IntSupplier tlsPort;

    /** Redirects to {@code tlsPort}, asked for each request (the port is known once the server listens). */
    public HttpsRedirect(IntSupplier tlsPort) {
        this.tlsPort = tlsPort;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        Optional<String> host = host(req);
        if (host.isEmpty()) {
            text(req, res, Status.BAD_REQUEST_400, "this port redirects to HTTPS, and needs a Host header to say where\n");
            return;
        }
        // Only a path of berth's own: a target such as "@evil.example/" after "https://host:port" would name another
        // host (as user info), "http://..." or "*" no URL at all.
        String path = req.path().absolute().rawPath();
        if (!path.startsWith("/")) {
            text(req, res, Status.BAD_REQUEST_400, "this port redirects to HTTPS, and needs a path that starts with /\n");
            return;
        }
        String query = req.query().rawValue();
        String location = "https://" + host.get() + ":" + tlsPort.getAsInt() + path
                + (query.isEmpty() ? "" : "?" + query);
        res.header(HeaderNames.LOCATION, location);
        text(req, res, Status.PERMANENT_REDIRECT_308, "berth speaks HTTPS: " + location + "\n");
    }

    /** The host the client asked for, without its port; empty when it named none that could go into a URL. */
    private static Optional<String> host(ServerRequest req) {
        String header = req.headers().first(HeaderNames.HOST).orElse("");
        Matcher m = HOST.matcher(header);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static void text(ServerRequest req, ServerResponse res, Status status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(bytes.length));
            res.send();
        } else {
            res.send(bytes);
        }
    }
}
