package dev.berth.http;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * A response body whose writes may each wait for the client at most the body timeout, 64 KiB at a time: a client that stops reading
 * (its window full, the write blocked) would otherwise hold its request place and a thread for as long as it likes.
 * {@link BodyDeadlines} interrupts a write past its deadline, which closes the connection under it.
 */
final class PacedResponse extends FilterOutputStream implements BodyDeadlines.Cuttable {
    private static final int PIECE = 64 * 1024;

    private final long timeoutNanos;
    private final BodyDeadlines deadlines;
    /** Guarded by this: the thread in a write, when that write must end, and whether it was cut. */
    private Thread writer;
    private long deadline;
    private boolean cut;

    PacedResponse(OutputStream out, long timeoutNanos, BodyDeadlines deadlines) {
        super(out);
        this.timeoutNanos = timeoutNanos;
        this.deadlines = deadlines;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        // In pieces, each with its own deadline: a client that reads slowly but steadily (64 KiB within the timeout)
        // is never cut, however large the buffer handed over.
        for (int done = 0; done < len; done += PIECE) {
            int start = off + done;
            int count = Math.min(PIECE, len - done);
            paced(() -> out.write(b, start, count));
        }
    }

    @Override
    public void flush() throws IOException {
        paced(out::flush);
    }

    @Override
    public void close() throws IOException {
        // The last bytes go out here (a chunked body's end, a buffered rest): as bounded as any write.
        paced(out::close);
    }

    @Override
    public synchronized void cutIfLate(long now) {
        if (writer != null && now - deadline >= 0) {
            cut = true;
            writer.interrupt();
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    private void paced(Write write) throws IOException {
        synchronized (this) {
            if (cut) {
                throw tooSlow();
            }
            writer = Thread.currentThread();
            deadline = System.nanoTime() + timeoutNanos;
        }
        deadlines.watch(this);
        try {
            write.run();
        } finally {
            deadlines.unwatch(this);
            synchronized (this) {
                writer = null;
                if (cut) {
                    // Cleared here, so the interrupt never reaches what the thread does next.
                    Thread.interrupted();
                }
            }
        }
        if (cut) {
            throw tooSlow();
        }
    }

    private InterruptedIOException tooSlow() {
        return new InterruptedIOException("the client read nothing of the response for "
                + timeoutNanos / 1_000_000 + " ms (limits.body-timeout)");
    }
}
