package dev.berth.http;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what handlers need from a request: query parameters, bounded bodies, upload ranges. */
public final class Requests {
    static final HeaderName CONTENT_RANGE = HeaderNames.create("Content-Range");
    private static final Pattern CHUNK_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");

    private Requests() {
    }

    /** A query parameter, if given and non-empty. */
    static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(v -> !v.isEmpty());
    }

    /** The {@code digest} query parameter, required. */
    static Digest digestParam(ServerRequest req) {
        return Digest.parse(query(req, "digest").orElseThrow(() ->
                new RegistryException(OciError.DIGEST_INVALID, "the digest query parameter is required")));
    }

    /** The whole body, refusing more than {@code max} bytes with TOO_LARGE before reading it when possible. */
    static byte[] body(ServerRequest req, int max, String what) {
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > max) {
            throw tooLarge(what, max);
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw tooLarge(what, max);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where an upload chunk starts, from {@code Content-Range: <start>-<end>}; 416 when malformed or inconsistent. */
    static Optional<Long> chunkStart(ServerRequest req) {
        Optional<String> header = req.headers().first(CONTENT_RANGE);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = CHUNK_RANGE.matcher(header.get().trim());
        if (!m.matches()) {
            throw new RegistryException(OciError.RANGE_INVALID, "Content-Range must be <start>-<end>");
        }
        try {
            long start = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            OptionalLong length = req.headers().contentLength();
            if (end < start || (length.isPresent() && length.getAsLong() != end - start + 1)) {
                throw new RegistryException(OciError.RANGE_INVALID,
                        "Content-Range " + header.get() + " does not match the chunk's Content-Length");
            }
            return Optional.of(start);
        } catch (NumberFormatException e) {
            throw new RegistryException(OciError.RANGE_INVALID, "Content-Range numbers are out of range");
        }
    }

    /** The request body as a stream (empty when there is none). */
    static InputStream stream(ServerRequest req) {
        return req.content().inputStream();
    }

    /**
     * The client's IP address: the connection's peer, or behind a proxy of {@code auth.trusted-proxies} the address
     * it forwarded for (see {@link TrustedProxies}). Never X-Forwarded-For from anyone else: any client can write
     * that, and limits keyed by it could be dodged or pinned on someone else.
     */
    public static String clientAddress(ServerRequest req) {
        return RequestClient.of(req).address();
    }

    private static RegistryException tooLarge(String what, int max) {
        return new RegistryException(OciError.TOO_LARGE, what + " is larger than the limit of " + max + " bytes");
    }
}
