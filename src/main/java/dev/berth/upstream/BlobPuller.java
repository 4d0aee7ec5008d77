package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import java.util.Optional;
import okhttp3.Protocol;
import okhttp3.ResponseBody;

/**
 * GET of a blob, streamed. One request, no HEAD first (Docker Hub counts neither, but every round trip costs), and
 * redirects to a CDN are followed by OkHttp, which drops Authorization when the host changes.
 */
final class BlobPuller {
    private final EndpointCaller caller;
    private final V2Requests requests;

    BlobPuller(EndpointCaller caller, V2Requests requests) {
        this.caller = caller;
        this.requests = requests;
    }

    Optional<UpstreamBlob> open(RepoName repository, Digest digest) {
        return caller.open(requests.blob(repository, digest).build()).map(response -> {
            ResponseBody body = response.body();
            if (response.protocol() == Protocol.HTTP_1_1 || response.protocol() == Protocol.HTTP_1_0) {
                // Okio times every read (at most 8 KiB) by queueing it with its watchdog thread and waking that
                // thread: about a tenth of berth's CPU in a fill from a fast upstream (bench/RESULTS.md). Over HTTP/1
                // the socket's own read timeout, which OkHttp sets to the same value, bounds each read already.
                body.source().timeout().clearTimeout();
            }
            // Closing the stream closes the response and frees the connection.
            return new UpstreamBlob(body.byteStream(), body.contentLength());
        });
    }
}
