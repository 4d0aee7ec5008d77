package dev.berth.oci;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The one error type that reaches the HTTP layer: a spec error code, a detail for the client, and extra headers. */
public class RegistryException extends RuntimeException {
    private final OciError error;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String message;

    public RegistryException(OciError error, String detail) {
        super(detail);
        this.error = error;
    }

    public RegistryException(OciError error, String detail, Throwable cause) {
        super(detail, cause);
        this.error = error;
    }

    /** Adds a header to the error response, e.g. Retry-After or Content-Range. */
    public RegistryException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /**
     * Replaces the code's standard message in the response: Docker prints the message and never the detail, so an
     * explanation the user must read goes here.
     */
    public RegistryException withMessage(String text) {
        this.message = text;
        return this;
    }

    /** The message the response carries instead of the code's standard one, if any. */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    public OciError error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }
}
