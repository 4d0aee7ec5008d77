package dev.berth.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * Counts the bytes read through it: tells {@code afterRead} the running total after every read (which may refuse to go
 * on by throwing), and {@code atEnd} the total once, at the end of the stream or when it is closed before.
 */
public final class CountedInputStream extends FilterInputStream {
    private final LongConsumer afterRead;
    private final LongConsumer atEnd;
    private long count;
    private boolean ended;

    /** Counts what is read from {@code in}. */
    public CountedInputStream(InputStream in, LongConsumer afterRead, LongConsumer atEnd) {
        super(in);
        this.afterRead = afterRead;
        this.atEnd = atEnd;
    }

    /** A stream that only reports its total once, at its end or close. */
    public static CountedInputStream reportingTotal(InputStream in, LongConsumer atEnd) {
        return new CountedInputStream(in, total -> { }, atEnd);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        counted(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        counted(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count += skipped;
        afterRead.accept(count);
        return skipped;
    }

    @Override
    public void close() throws IOException {
        end();
        super.close();
    }

    private void counted(int n) {
        if (n < 0) {
            end();
            return;
        }
        count += n;
        afterRead.accept(count);
    }

    private void end() {
        if (!ended) {
            ended = true;
            atEnd.accept(count);
        }
    }
}
