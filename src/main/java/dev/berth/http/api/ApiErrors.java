package dev.berth.http.api;

import dev.berth.auth.AccountsUnavailable;
import dev.berth.oci.RegistryException;
import dev.berth.storage.StorageUnavailableException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The one writer of the admin API's errors: {@code {"error": {"code": ..., "message": ...}}} with the code's status,
 * never the OCI envelope of {@code /v2}. Registry errors from the services the API calls are translated here.
 */
final class ApiErrors {
    private static final Logger LOG = System.getLogger(ApiErrors.class.getName());

    private ApiErrors() {
    }

    /** Answers {@code failure} thrown by a handler of {@code req}. */
    static void send(ServerRequest req, ServerResponse res, Throwable failure) {
        ApiException e = translate(req, failure);
        if (res.isSent()) {
            // A body is under way: a status can no longer be sent, so break the connection instead.
            throw new java.io.UncheckedIOException(new java.io.IOException("response aborted: " + e.getMessage()));
        }
        res.headers().clear();
        e.headers().forEach(res::header);
        Map<String, String> error = new LinkedHashMap<>();
        error.put("code", e.error().name());
        error.put("message", e.getMessage());
        ApiJson.send(res, Status.create(e.error().status()), Map.of("error", error));
    }

    private static ApiException translate(ServerRequest req, Throwable failure) {
        return switch (failure) {
            case ApiException e -> e;
            case RegistryException e -> new ApiException(of(e.error().status()),
                    e.detail() == null || e.detail().isEmpty() ? e.error().message() : e.detail());
            case StorageUnavailableException e -> new ApiException(ApiError.UNAVAILABLE,
                    "the store cannot be reached; try again shortly").withHeader("Retry-After", "10");
            case AccountsUnavailable e -> new ApiException(ApiError.UNAVAILABLE, e.getMessage())
                    .withHeader("Retry-After", "5");
            default -> {
                String id = UUID.randomUUID().toString().substring(0, 8);
                LOG.log(Logger.Level.ERROR, "error " + id + " on " + req.prologue().method().text() + " "
                        + req.path().absolute().rawPath(), failure);
                yield new ApiException(ApiError.INTERNAL, "internal error " + id + ", see the server log");
            }
        };
    }

    /** The API code closest to a registry error's status. */
    private static ApiError of(int status) {
        return switch (status) {
            case 400, 413, 416 -> ApiError.BAD_REQUEST;
            case 401 -> ApiError.UNAUTHORIZED;
            case 403 -> ApiError.FORBIDDEN;
            case 404 -> ApiError.NOT_FOUND;
            case 405 -> ApiError.METHOD_NOT_ALLOWED;
            case 408 -> ApiError.TIMEOUT;
            case 409 -> ApiError.CONFLICT;
            case 429, 503, 507 -> ApiError.UNAVAILABLE;
            default -> ApiError.INTERNAL;
        };
    }
}
