package dev.berth.http;

import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Logs one line per request on {@code dev.berth.access} once its response is written; never a header. */
public final class AccessLog implements Filter {
    private static final Logger LOG = System.getLogger("dev.berth.access");

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        try {
            chain.proceed();
        } catch (RuntimeException | Error e) {
            if (res.isSent() || e instanceof CloseConnectionException) {
                // Sent, or cut off after its head (BlobBody): no answer follows, so nothing else would log it.
                log(req, res, start, false);
            } else {
                // Thrown before any answer, by a later filter: the error handlers answer it once this returns.
                res.whenSent(() -> log(req, res, start, true));
            }
            throw e;
        }
        log(req, res, start, true);
    }

    private static void log(RoutingRequest req, RoutingResponse res, long start, boolean completed) {
        if (LOG.isLoggable(Level.INFO)) {
            LOG.log(Level.INFO, line(req, res, (System.nanoTime() - start) / 1_000_000, completed));
        }
    }

    /**
     * {@code CLIENT USER "METHOD TARGET PROTOCOL" STATUS BYTES DURATIONms}, then {@code aborted} when the response
     * broke off (the client went away, or the body failed after it started).
     */
    private static String line(RoutingRequest req, RoutingResponse res, long millis, boolean completed) {
        HttpPrologue prologue = req.prologue();
        return Requests.clientAddress(req)
                + ' ' + escape(RequestUser.of(req).orElse("-"))
                + " \"" + prologue.method().text() + ' ' + escape(target(prologue)) + ' ' + prologue.protocol() + '/'
                + prologue.protocolVersion() + "\" "
                + res.status().code() + ' ' + res.bytesWritten() + ' ' + millis + "ms"
                + (completed ? "" : " aborted");
    }

    /**
     * The raw path, and the query only under {@code /v2/}, whose parameters are pagination, digests and mounts:
     * elsewhere (the token endpoint under {@code /auth/}) a query can name accounts and scopes.
     */
    private static String target(HttpPrologue prologue) {
        String path = prologue.uriPath().rawPath();
        String query = prologue.query().rawValue();
        return query.isEmpty() || !path.startsWith("/v2/") ? path : path + '?' + query;
    }

    /** Percent-encodes what could break the line apart or forge another: quotes, spaces, controls, non-ASCII. */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (b > ' ' && b < 0x7f && b != '"' && b != '\\') {
                out.append((char) b);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }
}
