package dev.berth.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import okhttp3.Response;

/**
 * An upstream document (a manifest, a page of tags, a token answer) read up to a limit counted in the bytes as they
 * arrive decoded: OkHttp inflates a gzip body it asked for, so a few compressed megabytes could otherwise become
 * gigabytes on the heap. The read past the limit fails with {@link TooLarge} after at most one byte too many.
 */
final class BoundedDocument extends FilterInputStream {
    /** The document went past its limit; the message says which document and which limit. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    private final String what;
    private final long limit;
    private final String limitKey;
    private long count;

    private BoundedDocument(InputStream in, String what, long limit, String limitKey) {
        super(in);
        this.what = what;
        this.limit = limit;
        this.limitKey = limitKey;
    }

    /** {@code response}'s body as {@code what}, at most {@code limit} bytes, the limit set by {@code limitKey}. */
    static BoundedDocument of(Response response, String what, long limit, String limitKey) {
        return new BoundedDocument(response.body().byteStream(), what, limit, limitKey);
    }

    /** The whole document. */
    static byte[] bytes(Response response, String what, int limit, String limitKey) throws IOException {
        try (BoundedDocument document = of(response, what, limit, limitKey)) {
            return document.readAllBytes();
        }
    }

    /** How many bytes were read so far. */
    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        // Never more than one byte past the limit, however much the caller asks for.
        int n = in.read(buffer, offset, (int) Math.min(length, limit - count + 1));
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw new TooLarge(what + " is larger than " + limit + " bytes (" + limitKey + ")");
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes count too: read, not skipped in the underlying stream.
        return n <= 0 ? 0 : Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
    }
}
