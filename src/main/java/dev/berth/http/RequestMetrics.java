package dev.berth.http;

import dev.berth.oci.RegistryException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.time.Duration;

/** Reports every request's kind, status and duration to {@link RequestEvents} once it has been answered. */
public final class RequestMetrics implements Filter {
    private final RequestEvents events;

    /** Reports to {@code events}. */
    public RequestMetrics(RequestEvents events) {
        this.events = events;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        RequestEvents.Kind kind = kind(req.prologue().uriPath().rawPath());
        long start = System.nanoTime();
        try {
            chain.proceed();
        } catch (RuntimeException | Error e) {
            if (res.isSent()) {
                report(kind, res, start);
            } else {
                // The error handlers answer once this returns: count the status they send.
                res.whenSent(() -> report(kind, res, start));
            }
            throw e;
        }
        report(kind, res, start);
    }

    private void report(RequestEvents.Kind kind, RoutingResponse res, long start) {
        events.requestAnswered(kind, res.status().code(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** The kind of {@code rawPath}, as the API routes it; OTHER for paths outside it (the observe endpoints too). */
    static RequestEvents.Kind kind(String rawPath) {
        if (rawPath.equals(Challenge.TOKEN_PATH)) {
            return RequestEvents.Kind.TOKEN;
        }
        if (!rawPath.startsWith("/v2")) {
            return RequestEvents.Kind.OTHER;
        }
        try {
            return switch (OciPath.parse(rawPath)) {
                case Route.Base b -> RequestEvents.Kind.BASE;
                case Route.Catalog c -> RequestEvents.Kind.CATALOG;
                case Route.Tags t -> RequestEvents.Kind.TAGS;
                case Route.Manifest m -> RequestEvents.Kind.MANIFEST;
                case Route.InvalidTag t -> RequestEvents.Kind.MANIFEST;
                case Route.Blob b -> RequestEvents.Kind.BLOB;
                case Route.UploadStart u -> RequestEvents.Kind.UPLOAD;
                case Route.Upload u -> RequestEvents.Kind.UPLOAD;
                case Route.Referrers r -> RequestEvents.Kind.REFERRERS;
            };
        } catch (RegistryException e) {
            return RequestEvents.Kind.OTHER;
        }
    }
}
