package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.common.buffers.DataReader;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body read under a {@link BodyPace}. A read that waits past what the pace allows is cut by
 * {@link BodyDeadlines}, which interrupts the reading thread; that read and every later one fail with 408 (over
 * HTTP/1.1 with {@code Connection: close}). Over HTTP/1.1 the interrupt closes the socket under the blocked read, so
 * the client sees the connection close rather than the 408; a read that returns late, and any HTTP/2 stream, get the
 * 408.
 */
final class PacedBody extends InputStream implements BodyDeadlines.Cuttable {
    private final InputStream in;
    private final BodyPace pace;
    private final BodyDeadlines deadlines;
    /** Over HTTP/1.1 an error must close the connection, or Helidon would read the rest of the body first. */
    private final boolean http1;
    /** Touched by the reading thread only. */
    private long waited;
    private long received;
    /** The body has ended: reads past its end are free, however long the body took. */
    private boolean ended;
    /** Guarded by this: the thread in a read, when that read must end, and whether it was cut. */
    private Thread reader;
    private long deadline;
    private boolean cut;

    PacedBody(InputStream in, BodyPace pace, BodyDeadlines deadlines, boolean http1) {
        this.in = in;
        this.pace = pace;
        this.deadlines = deadlines;
        this.http1 = http1;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
            return -1;
        }
        long start = System.nanoTime();
        long allowance = pace.allowance(waited, received);
        synchronized (this) {
            if (cut || allowance <= 0) {
                cut = true;
                throw tooSlow();
            }
            reader = Thread.currentThread();
            deadline = start + allowance;
        }
        deadlines.watch(this);
        int n;
        try {
            n = in.read(b, off, len);
        } catch (DataReader.InsufficientDataAvailableException e) {
            if (finish(start)) {
                throw tooSlow();
            }
            // The client closed its end: one line in the access log rather than an unexpected error's trace.
            throw closing(new RegistryException(OciError.BODY_INCOMPLETE, "the connection closed after " + received
                    + " bytes of the request body"));
        } catch (IOException | RuntimeException e) {
            if (finish(start)) {
                throw tooSlow();
            }
            throw e;
        } finally {
            deadlines.unwatch(this);
        }
        if (finish(start)) {
            throw tooSlow();
        }
        received += Math.max(0, n);
        ended = n < 0;
        return n;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    @Override
    public synchronized void cutIfLate(long now) {
        if (reader != null && now - deadline >= 0) {
            cut = true;
            reader.interrupt();
        }
    }

    /**
     * Ends a read: counts its wait and says whether it was cut. The interrupt of a cut is cleared here, so it never
     * reaches what the thread does next (a file channel, for one, would close on it).
     */
    private boolean finish(long start) {
        waited += System.nanoTime() - start;
        synchronized (this) {
            reader = null;
            if (cut) {
                Thread.interrupted();
            }
            return cut;
        }
    }

    private RegistryException tooSlow() {
        return closing(new RegistryException(OciError.BODY_TIMEOUT, pace.rule() + "; " + received
                + " bytes came in " + waited / 1_000_000 + " ms of waiting"));
    }

    /** HTTP/2 has no Connection header (Helidon refuses to send one): the stream alone ends there. */
    private RegistryException closing(RegistryException e) {
        return http1 ? e.withHeader("Connection", "close") : e;
    }
}
