package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.Protocol;
import okhttp3.Response;
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
        return caller.open(requests.blob(repository, digest).build()).map(opened -> {
            Response response = opened.response();
            ResponseBody body = response.body();
            if (response.protocol() == Protocol.HTTP_1_1 || response.protocol() == Protocol.HTTP_1_0) {
                // Okio times every read (at most 8 KiB) by queueing it with its watchdog thread and waking that
                // thread: about a tenth of berth's CPU in a fill from a fast upstream (bench/RESULTS.md). Over HTTP/1
                // the socket's own read timeout, which OkHttp sets to the same value, bounds each read already.
                body.source().timeout().clearTimeout();
            }
            // Closing the stream closes the response and frees the connection.
            return new UpstreamBlob(new CutShort(body.byteStream(), opened.call()), body.contentLength());
        });
    }

    /**
     * The body, whose connection is cut when it is closed before its end: OkHttp would otherwise read on for a while
     * to reuse the connection, tens of megabytes on a fast link from an upstream that sends more than it should.
     */
    static final class CutShort extends FilterInputStream {
        private final Call call;
        private boolean ended;

        CutShort(InputStream in, Call call) {
            super(in);
            this.call = call;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            ended |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            ended |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!ended) {
                call.cancel();
            }
            super.close();
        }
    }
}
