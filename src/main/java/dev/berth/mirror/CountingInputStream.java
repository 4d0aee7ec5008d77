package dev.berth.mirror;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * Counts the bytes read through it and reports the total once: at the end of the stream, so the count is in before a
 * download is verified and its clients get their last byte, or when closed before the end.
 */
final class CountingInputStream extends FilterInputStream {
    private final LongConsumer report;
    private long count;
    private boolean reported;

    CountingInputStream(InputStream in, LongConsumer report) {
        super(in);
        this.report = report;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            report();
        } else {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n < 0) {
            report();
        } else {
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count += skipped;
        return skipped;
    }

    @Override
    public void close() throws IOException {
        report();
        super.close();
    }

    private void report() {
        if (!reported) {
            reported = true;
            report.accept(count);
        }
    }
}
