package dev.berth.mirror;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Counts the bytes read through it and reports the total once, when closed: one report per download. */
final class CountingInputStream extends FilterInputStream {
    private final LongConsumer onClose;
    private long count;
    private boolean closed;

    CountingInputStream(InputStream in, LongConsumer onClose) {
        super(in);
        this.onClose = onClose;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
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
        if (!closed) {
            closed = true;
            onClose.accept(count);
        }
        super.close();
    }
}
