package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.http.Method;
import io.helidon.http.NotFoundException;
import io.helidon.http.Status;
import dev.berth.auth.AccountsUnavailable;
import dev.berth.storage.StorageUnavailableException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The one writer of error responses: the spec's {@code {"errors":[...]}} envelope with the code's status. */
public final class ErrorResponses {
    private static final Logger LOG = System.getLogger(ErrorResponses.class.getName());

    private ErrorResponses() {
    }

    /**
     * Maps every error a route may throw to its answer: a registry error, a store outage, accounts that cannot be
     * asked, anything unexpected.
     */
    public static void register(HttpRouting.Builder routing) {
        routing.error(RegistryException.class, ErrorResponses::send);
        routing.error(StorageUnavailableException.class, StoreOutage::send);
        routing.error(AccountsUnavailable.class, (req, res, e) -> send(req, res, accountsUnavailable(e.getMessage())));
        routing.error(Exception.class, ErrorResponses::sendUnexpected);
    }

    /** The 503 of accounts that could not be asked (a directory that is down), with a hint when to try again. */
    static RegistryException accountsUnavailable(String message) {
        return new RegistryException(OciError.UNAVAILABLE, message).withMessage(message)
                .withHeader("Retry-After", "5");
    }

    /** Answers a registry error. */
    static void send(ServerRequest req, ServerResponse res, RegistryException e) {
        if (res.isSent()) {
            // The body is already under way: a status can no longer be sent, so break the connection instead.
            throw new java.io.UncheckedIOException(new java.io.IOException("response aborted: " + e.detail()));
        }
        // Headers set for the answer the handler meant to give (a blob's Content-Length, digest and caching) would
        // describe the error instead: a stale Content-Length above the error's length leaves clients waiting.
        res.headers().clear();
        OciError error = e.error();
        res.status(Status.create(error.status()));
        res.header(RegistryHeaders.API_VERSION);
        e.headers().forEach(res::header);
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("code", error.code());
        entry.put("message", e.message().orElse(error.message()));
        entry.put("detail", e.detail() == null ? "" : e.detail());
        byte[] body = Json.bytes(Map.of("errors", List.of(entry)));
        res.header("Content-Type", "application/json");
        try {
            if (req.prologue().method() == Method.HEAD) {
                res.header("Content-Length", String.valueOf(body.length));
                res.send();
            } else {
                res.send(body);
            }
        } catch (ServerConnectionException | java.io.UncheckedIOException gone) {
            // The connection is closed (a request body cut in a blocked read closes it): nobody is left to tell.
            LOG.log(Logger.Level.DEBUG, "error response not sent, the connection is gone: " + e.detail());
        }
    }

    /** Answers anything unexpected as UNKNOWN 500, logging it under an id the client is given (no stack trace sent). */
    static void sendUnexpected(ServerRequest req, ServerResponse res, Throwable t) {
        if (t instanceof NotFoundException) {
            // No route: a path outside the API (a scanner, a typo), not a fault of berth's.
            send(req, res, new RegistryException(OciError.NOT_FOUND, "no endpoint at " + req.path().rawPath()));
            return;
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        LOG.log(Logger.Level.ERROR, "error " + id + " on " + req.prologue().method().text() + " "
                + req.path().rawPath(), t);
        send(req, res, new RegistryException(OciError.UNKNOWN, "internal error " + id + ", see the server log"));
    }
}
