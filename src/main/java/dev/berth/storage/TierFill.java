package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stream of a store's object that also copies its bytes to a temporary file and hashes them on their way to the
 * reader; once {@code size} bytes have passed and match, the file is handed to {@link Ending#verified}. A full or
 * failing local disk costs the tier its copy, never the reader its bytes; the file is gone afterwards in every case.
 */
final class TierFill extends InputStream {
    /** What becomes of a fill. */
    interface Ending {
        /** The whole object arrived and matched: {@code file} may be moved into place. */
        void verified(Path file, long size) throws IOException;

        /** The fill is over, whichever way; called once, last. */
        void ended();
    }

    private final InputStream in;
    private final FileChannel out;
    private final Path file;
    private final TierDigest digest;
    private final long size;
    private final Ending ending;
    private long copied;
    private boolean done;

    TierFill(InputStream in, FileChannel out, Path file, TierDigest digest, long size, Ending ending) {
        this.in = in;
        this.out = out;
        this.file = file;
        this.digest = digest;
        this.size = size;
        this.ending = ending;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0 && !done) {
            try {
                FileObjectWriter.writeFully(out, b, off, n);
                digest.update(b, off, n);
                copied += n;
                if (copied == size) {
                    end(true);
                }
            } catch (IOException | RuntimeException e) {
                end(false);
            }
        }
        return n;
    }

    /** Closes and deletes the file, after handing it on when it is whole and verified. */
    private void end(boolean whole) {
        if (done) {
            return;
        }
        done = true;
        try {
            out.close();
            if (whole && digest.matches()) {
                ending.verified(file, copied);
            }
        } catch (IOException | RuntimeException e) {
            // The tier is only a copy: the store has the object.
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The temporary directory is emptied at the next start.
            }
            ending.ended();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            end(false);
        }
    }
}
