package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import okhttp3.Response;

/**
 * GET of one byte range of a blob, for a client that asked a range the blob's download has not reached. The bytes
 * cannot be checked against the digest, so the answer is held to what was asked: a 206 whose Content-Range names
 * exactly the range and the blob's size, no longer than the range, and cut off as a failure if it ends short. An
 * upstream that ignores Range (200, the whole blob) is not read: the connection is cut, and the upstream is not asked
 * for ranges again for a while. A bounded number run at once per upstream, so a crowd of clients asking ranges of
 * cold blobs cannot multiply the traffic to it.
 */
final class RangePuller {
    /** Range fetches in flight per upstream at most; more clients follow the blobs' downloads instead. */
    static final int MAX_IN_FLIGHT = 16;
    /** How long an upstream that answered a range with the whole blob is not asked for ranges. */
    static final Duration IGNORED_FOR = Duration.ofMinutes(10);

    private final EndpointCaller caller;
    private final V2Requests requests;
    private final Clock clock;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private volatile Instant ignoredUntil = Instant.MIN;

    RangePuller(EndpointCaller caller, V2Requests requests, Clock clock) {
        this.caller = caller;
        this.requests = requests;
        this.clock = clock;
    }

    /**
     * An open stream of exactly the {@code length} bytes from {@code offset} of a blob of {@code size} bytes; empty
     * when the upstream is not asked (too many range fetches at once, or it ignored ranges lately) or does not serve
     * the range (it answered 200 or 404). Throws an UpstreamException when it fails or its answer does not fit.
     */
    Optional<UpstreamBlob> open(RepoName repository, Digest digest, long offset, long length, long size) {
        if (clock.instant().isBefore(ignoredUntil) || !inFlight.tryAcquire()) {
            return Optional.empty();
        }
        boolean handedOver = false;
        try {
            long end = offset + length - 1;
            Optional<EndpointCaller.Opened> answer = caller.open(requests.blob(repository, digest)
                    .header("Range", "bytes=" + offset + "-" + end).build());
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            Response response = answer.get().response();
            if (response.code() != 206) {
                // The whole blob is on its way: cut, not read; the download brings these bytes too.
                answer.get().call().cancel();
                response.close();
                ignoredUntil = clock.instant().plus(IGNORED_FOR);
                return Optional.empty();
            }
            String problem = misfit(response, offset, end, size);
            if (problem != null) {
                answer.get().call().cancel();
                response.close();
                throw caller.unusable(response, problem);
            }
            InputStream body = new Exactly(new BlobPuller.CutShort(response.body().byteStream(), answer.get().call()),
                    length, inFlight);
            handedOver = true;
            return Optional.of(new UpstreamBlob(body, length));
        } finally {
            if (!handedOver) {
                inFlight.release();
            }
        }
    }

    /** What is wrong with a 206 for {@code offset-end} of {@code size} bytes, or null when it fits. */
    private static String misfit(Response response, long offset, long end, long size) {
        String asked = "bytes " + offset + "-" + end + "/" + size;
        String contentRange = response.header("Content-Range", "").trim();
        if (!contentRange.equals(asked)) {
            return "Content-Range '" + contentRange + "' where " + asked + " was asked";
        }
        String encoding = response.header("Content-Encoding", "identity").trim();
        if (!encoding.equalsIgnoreCase("identity")) {
            // The bytes asked are the stored ones; a compressed answer is other bytes.
            return "Content-Encoding " + encoding + " in a range answer";
        }
        long announced = ContentLength.of(response);
        if (announced >= 0 && announced != end - offset + 1) {
            return "Content-Length " + announced + " for a range of " + (end - offset + 1) + " bytes";
        }
        return null;
    }

    /**
     * The range's bytes: ends after {@code length} bytes whatever the upstream would send on, fails if it ends before,
     * and gives back its place among the fetches in flight when closed.
     */
    private static final class Exactly extends FilterInputStream {
        private final Semaphore inFlight;
        private long left;
        private boolean closed;

        Exactly(InputStream in, long length, Semaphore inFlight) {
            super(in);
            this.left = length;
            this.inFlight = inFlight;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(count, left));
            if (n < 0) {
                throw new IOException("the upstream's range answer ended " + left + " bytes short");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                inFlight.release();
                super.close();
            }
        }
    }
}
