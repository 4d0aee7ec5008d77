package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Bytes {@code [offset, offset + length)} of an open file, read positionally, so that any number of streams read one
 * channel, each from its own offset, and closing one leaves the channel open: an object read from disk, or a part of a
 * file being uploaded, which the SDK may read more than once (to sign it, to retry).
 */
final class FileRange extends InputStream {
    private final FileChannel channel;
    private long position;
    private final long end;

    FileRange(FileChannel channel, long offset, long length) {
        this.channel = channel;
        this.position = offset;
        this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= end) {
            return -1;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
        if (n < 0) {
            throw new IOException("file ended " + (end - position) + " bytes early");
        }
        position += n;
        return n;
    }
}
