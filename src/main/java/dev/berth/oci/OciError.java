package dev.berth.oci;

/** The distribution spec's error codes, each with the HTTP status it is answered with. */
public enum OciError {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    TAG_INVALID(400, "manifest tag did not match URI"),
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    RANGE_INVALID(416, "invalid content range"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOO_LARGE("SIZE_INVALID", 413, "request entity too large"),
    NOT_FOUND(404, "no such endpoint"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** Not a code of the spec: a request body that stopped arriving, cut so that it holds nothing longer. */
    BODY_TIMEOUT("UNAVAILABLE", 408, "the request body did not arrive in time"),
    /** Not a code of the spec: the client closed the connection before the end of its request body. */
    BODY_INCOMPLETE("BLOB_UPLOAD_INVALID", 400, "the request body ended before its length"),
    UNAVAILABLE(503, "service unavailable"),
    /** Not a code of the spec: clients get UNAVAILABLE, with 507 telling operators what is wrong. */
    INSUFFICIENT_STORAGE("UNAVAILABLE", 507, "the registry's storage is full"),
    /** Not a code of the spec: clients get UNAVAILABLE, with 502 saying that an upstream's answer was unusable. */
    BAD_GATEWAY("UNAVAILABLE", 502, "an upstream registry sent an answer berth cannot use"),
    UNKNOWN(500, "unknown error");

    private final String code;
    private final int status;
    private final String message;

    OciError(int status, String message) {
        this.code = null;
        this.status = status;
        this.message = message;
    }

    OciError(String code, int status, String message) {
        this.code = code;
        this.status = status;
        this.message = message;
    }

    /** The HTTP status this error is answered with. */
    public int status() {
        return status;
    }

    /** The spec's fixed message for the code. */
    public String message() {
        return message;
    }

    /** The code as it appears on the wire. */
    public String code() {
        return code != null ? code : name();
    }
}
