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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern ASKED = Pattern.compile("bytes=(\\d{0,18})-(\\d{1,18})");
    private static final Pattern ANSWERED = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})");

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
        long end = offset + length - 1;
        return ask(repository, digest, "bytes=" + offset + "-" + end,
                total -> total == size ? new long[] {offset, end} : null, length).map(UpstreamRange::blob);
    }

    /**
     * As {@link #open(RepoName, Digest, long, long, long)}, for a blob whose size is not known yet: {@code range} is
     * one range as a client asked it ({@code bytes=first-last} or {@code bytes=-suffix}), and the answer's
     * Content-Range tells the size. Empty as well, and not asked, when {@code range} is not one such range, starts at
     * or before {@code firstAfter} or asks more than {@code maxLength} bytes; empty when the answer does.
     */
    Optional<UpstreamRange> open(RepoName repository, Digest digest, String range, long firstAfter, long maxLength) {
        Matcher asked = ASKED.matcher(range.trim());
        if (!asked.matches()) {
            return Optional.empty();
        }
        long first = asked.group(1).isEmpty() ? -1 : Long.parseLong(asked.group(1));
        long last = Long.parseLong(asked.group(2));
        if (first < 0 ? last == 0 || last > maxLength : first <= firstAfter || first > last
                || last - first + 1 > maxLength) {
            return Optional.empty();
        }
        return ask(repository, digest, range, total -> first < 0
                ? new long[] {Math.max(0, total - last), total - 1}
                : first < total ? new long[] {first, Math.min(last, total - 1)} : null, maxLength);
    }

    private Optional<UpstreamRange> ask(RepoName repository, Digest digest, String range, Expected expected,
                                        long maxLength) {
        if (clock.instant().isBefore(ignoredUntil) || !inFlight.tryAcquire()) {
            return Optional.empty();
        }
        boolean handedOver = false;
        try {
            Optional<EndpointCaller.Opened> answer = caller.open(requests.blob(repository, digest)
                    .header("Range", range).build());
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
            long[] sent = new long[3];
            String problem = misfit(response, range, expected, sent);
            if (problem != null) {
                answer.get().call().cancel();
                response.close();
                throw caller.unusable(response, problem);
            }
            long length = sent[1] - sent[0] + 1;
            if (length > maxLength) {
                // Nearly a second download: the first one brings these bytes.
                answer.get().call().cancel();
                response.close();
                return Optional.empty();
            }
            InputStream body = new Exactly(new BlobPuller.CutShort(response.body().byteStream(), answer.get().call()),
                    length, inFlight);
            handedOver = true;
            return Optional.of(new UpstreamRange(new UpstreamBlob(body, length), sent[0], sent[2]));
        } finally {
            if (!handedOver) {
                inFlight.release();
            }
        }
    }

    /**
     * What is wrong with a 206 to {@code range}, or null when it fits; then {@code sent} holds its first and last
     * byte and the blob's size.
     */
    private static String misfit(Response response, String range, Expected expected, long[] sent) {
        String contentRange = response.header("Content-Range", "").trim();
        Matcher answered = ANSWERED.matcher(contentRange);
        long[] fits = answered.matches() ? expected.of(Long.parseLong(answered.group(3))) : null;
        if (fits == null || fits[0] != Long.parseLong(answered.group(1))
                || fits[1] != Long.parseLong(answered.group(2))) {
            return "Content-Range '" + contentRange + "' in answer to " + range;
        }
        String encoding = response.header("Content-Encoding", "identity").trim();
        if (!encoding.equalsIgnoreCase("identity")) {
            // The bytes asked are the stored ones; a compressed answer is other bytes.
            return "Content-Encoding " + encoding + " in a range answer";
        }
        long announced = ContentLength.of(response);
        if (announced >= 0 && announced != fits[1] - fits[0] + 1) {
            return "Content-Length " + announced + " for a range of " + (fits[1] - fits[0] + 1) + " bytes";
        }
        sent[0] = fits[0];
        sent[1] = fits[1];
        sent[2] = Long.parseLong(answered.group(3));
        return null;
    }

    /** The first and last byte a range asks of a blob of {@code size} bytes; null when it cannot be that size. */
    @FunctionalInterface
    private interface Expected {
        long[] of(long size);
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
