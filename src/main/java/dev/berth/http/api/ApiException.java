package dev.berth.http.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure of an admin API call, answered as {@code {"error": {"code": ..., "message": ...}}} with the code's status
 * (and headers such as a challenge). The message is for people and must hold no secret.
 */
public final class ApiException extends RuntimeException {
    private final ApiError error;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(ApiError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }

    /** Adds a header to the error's answer. */
    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }
}
