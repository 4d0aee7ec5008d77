package dev.berth.http.api;

/** The codes of the admin API's errors, each with its HTTP status. */
public enum ApiError {
    BAD_REQUEST(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    TIMEOUT(408),
    CONFLICT(409),
    TOO_MANY_REQUESTS(429),
    INTERNAL(500),
    UNAVAILABLE(503);

    private final int status;

    ApiError(int status) {
        this.status = status;
    }

    /** The HTTP status an error with this code is sent with. */
    public int status() {
        return status;
    }
}
