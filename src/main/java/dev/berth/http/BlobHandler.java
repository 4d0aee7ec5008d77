package dev.berth.http;

import dev.berth.oci.MediaTypes;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.registry.BlobContent;
import dev.berth.registry.Repository;
import dev.berth.registry.WritableRepository;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/** {@code /v2/<name>/blobs/<digest>}: GET (with ranges), HEAD, DELETE. */
final class BlobHandler {
    void head(Route.Blob route, Repository repository, ServerResponse res) {
        long size = repository.blobSize(route.digest()).orElseThrow(() ->
                new RegistryException(OciError.BLOB_UNKNOWN, "blob " + route.digest() + " is not in " + route.name()));
        commonHeaders(route, res);
        res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(size));
        res.send();
    }

    /** Sends the blob, or the part the request's range names, or redirects to it; returns the bytes it sends there. */
    long get(Route.Blob route, Repository repository, ServerRequest req, ServerResponse res) throws IOException {
        try (BlobContent blob = repository.openBlob(route.digest())) {
            Optional<URI> redirect = blob.redirect();
            if (redirect.isPresent()) {
                // After the access check: the URL opens this one object for a few minutes, to whoever holds it.
                commonHeaders(route, res);
                res.headers().remove(HeaderNames.CACHE_CONTROL);
                res.status(Status.TEMPORARY_REDIRECT_307);
                res.header(HeaderNames.LOCATION, redirect.get().toString());
                res.send();
                return blob.size();
            }
            // If-Range (RFC 9110 13.1.5): a range of this entity only; any other validator asks for the whole blob.
            boolean sameEntity = req.headers().first(HeaderNames.IF_RANGE).map(etag(route)::equals).orElse(true);
            if (sameEntity) {
                req.headers().first(HeaderNames.RANGE).ifPresent(blob::rangeAsked);
            }
            long size = blob.size();
            List<ByteRange> ranges = sameEntity ? ByteRange.parse(req.headers().first(HeaderNames.RANGE), size)
                    : List.of();
            commonHeaders(route, res);
            if (ranges.size() > 1) {
                MultipartRanges parts = new MultipartRanges(ranges, size);
                if (!parts.largerThanWhole()) {
                    res.status(Status.PARTIAL_CONTENT_206);
                    res.header(HeaderNames.CONTENT_TYPE, parts.contentType());
                    res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(parts.length()));
                    BlobBody.send(req, res, parts.length(), out -> parts.writeTo(blob, out));
                    return parts.length();
                }
                // The parts would come to more than the blob: the whole of it, as RFC 9110 allows.
                ranges = List.of();
            }
            long offset = ranges.isEmpty() ? 0 : ranges.getFirst().start();
            long length = ranges.isEmpty() ? size : ranges.getFirst().length();
            if (!ranges.isEmpty()) {
                res.status(Status.PARTIAL_CONTENT_206);
                res.header(HeaderNames.CONTENT_RANGE, ranges.getFirst().contentRange(size));
            }
            // Content-Length before outputStream(): Helidon then sends a plain body instead of chunks.
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(length));
            BlobBody.send(req, res, blob, offset, length);
            return length;
        }
    }

    void delete(Route.Blob route, WritableRepository repository, ServerResponse res) {
        repository.deleteBlob(route.digest());
        res.status(Status.ACCEPTED_202).send();
    }

    private static String etag(Route.Blob route) {
        return "\"" + route.digest() + "\"";
    }

    private static void commonHeaders(Route.Blob route, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, MediaTypes.OCTET_STREAM);
        res.header(RegistryHeaders.DOCKER_CONTENT_DIGEST, route.digest().toString());
        res.header(HeaderNames.ETAG, etag(route));
        res.header(HeaderNames.ACCEPT_RANGES, "bytes");
        // Content addressed: the bytes behind a digest never change.
        res.header(HeaderNames.CACHE_CONTROL, "max-age=31536000");
    }
}
