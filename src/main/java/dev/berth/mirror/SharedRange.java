package dev.berth.mirror;

import dev.berth.upstream.UpstreamBlob;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One byte range of a cold blob as the upstream's answer to it arrives, read by every client that asked exactly that
 * range: the bytes are kept in memory (the range is short, its length known), each client reads them from the start,
 * and whichever client needs the next bytes first reads them from the upstream, so no client waits for another's slow
 * connection. A break of the answer reaches each client at the byte it broke at; an answer that all its clients left
 * before its end is cut, and not read again.
 */
final class SharedRange {
    private static final int PIECE = 64 * 1024;

    private final UpstreamBlob answer;
    private final long length;
    private final Runnable freed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grown = lock.newCondition();
    private final List<byte[]> pieces = new ArrayList<>();
    // Bytes received so far; written beyond only by the one reader pulling, read below by all.
    private long filled;
    private boolean pulling;
    private IOException broken;
    private boolean answerEnded;
    // The holder that keeps it findable (SharedRanges), plus one per open reader; the memory is freed at none.
    private int holds = 1;
    private int readers;

    /** The answer's bytes, of {@code answer.length()} bytes; {@code freed} runs once nobody holds them any more. */
    SharedRange(UpstreamBlob answer, Runnable freed) {
        this.answer = answer;
        this.length = answer.length();
        this.freed = freed;
    }

    /** A stream of the range from its first byte, for one more client; empty once it broke or is let go of. */
    Optional<UpstreamBlob> reader() {
        lock.lock();
        try {
            if (holds == 0 || broken != null) {
                return Optional.empty();
            }
            holds++;
            readers++;
            return Optional.of(new UpstreamBlob(new Reader(), length));
        } finally {
            lock.unlock();
        }
    }

    /** Whether it is still being read whole: neither broken nor cut when its clients left. */
    boolean unbroken() {
        lock.lock();
        try {
            return broken == null;
        } finally {
            lock.unlock();
        }
    }

    /** Whether any client reads it now. */
    boolean beingRead() {
        lock.lock();
        try {
            return readers > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Let go of by the holder that kept it findable: no new readers from there. */
    void forget() {
        release(false);
    }

    private int readAt(long position, byte[] into, int offset, int count) throws IOException {
        if (count == 0) {
            return 0;
        }
        while (true) {
            lock.lock();
            try {
                while (position >= filled && position < length && broken == null && pulling) {
                    grown.awaitUninterruptibly();
                }
                if (position < filled) {
                    return copy(position, into, offset, (int) Math.min(count, filled - position));
                }
                if (position >= length) {
                    return -1;
                }
                if (broken != null) {
                    throw new IOException("the upstream's answer to a range broke after " + filled + " bytes: "
                            + broken.getMessage(), broken);
                }
                pulling = true;
            } finally {
                lock.unlock();
            }
            pull();
        }
    }

    /** Reads the next bytes of the answer, as the one reader doing so; the others wait for them. */
    private void pull() {
        byte[] piece;
        int at;
        lock.lock();
        try {
            at = (int) (filled % PIECE);
            if (at == 0) {
                pieces.add(new byte[(int) Math.min(PIECE, length - filled)]);
            }
            piece = pieces.get(pieces.size() - 1);
        } finally {
            lock.unlock();
        }
        int n = -1;
        IOException failure = new IOException("it ended short");
        try {
            n = answer.content().read(piece, at, piece.length - at);
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            // Whatever broke the read, the readers waiting must hear of it rather than wait for a puller gone.
            failure = new IOException(e.toString(), e);
            throw e;
        } finally {
            boolean done;
            lock.lock();
            try {
                if (n < 0) {
                    broken = failure;
                } else {
                    filled += n;
                }
                pulling = false;
                done = filled == length || broken != null;
                grown.signalAll();
            } finally {
                lock.unlock();
            }
            if (done) {
                endAnswer();
            }
        }
    }

    private int copy(long position, byte[] into, int offset, int count) {
        int done = 0;
        while (done < count) {
            byte[] piece = pieces.get((int) ((position + done) / PIECE));
            int at = (int) ((position + done) % PIECE);
            int n = Math.min(count - done, piece.length - at);
            System.arraycopy(piece, at, into, offset + done, n);
            done += n;
        }
        return done;
    }

    private void release(boolean reader) {
        boolean none;
        lock.lock();
        try {
            if (reader) {
                readers--;
            }
            holds--;
            // Nobody reads what is still on its way: cut it rather than hold the upstream's connection for nobody.
            if (readers == 0 && filled < length && broken == null && !pulling) {
                broken = new IOException("its clients left before its end");
            }
            none = holds == 0;
        } finally {
            lock.unlock();
        }
        if (none || !unbroken()) {
            endAnswer();
        }
        if (none) {
            pieces.clear();
            freed.run();
        }
    }

    /** Closes the upstream's answer, once: read whole, broken, cut, or held by nobody. */
    private void endAnswer() {
        lock.lock();
        try {
            if (answerEnded) {
                return;
            }
            answerEnded = true;
        } finally {
            lock.unlock();
        }
        closeQuietly(answer);
    }

    /** Closes an upstream's answer whose bytes nobody will read; its connection is gone either way. */
    static void closeQuietly(UpstreamBlob answer) {
        try {
            answer.close();
        } catch (IOException | RuntimeException e) {
            // Nothing more to do: the answer is not read.
        }
    }

    /** One client's read of the range, from its first byte. */
    private final class Reader extends InputStream {
        private long position;
        private boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int count) throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            int n = readAt(position, into, offset, count);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(true);
            }
        }
    }
}
