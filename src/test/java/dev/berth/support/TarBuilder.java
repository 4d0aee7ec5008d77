package dev.berth.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds a small uncompressed ustar archive in memory: an image layer that real clients can unpack. */
public final class TarBuilder {
    private static final int BLOCK = 512;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Adds a directory (mode 755); {@code path} is relative, without a trailing slash. */
    public TarBuilder directory(String path) {
        header(path + "/", 0755, 0, '5');
        return this;
    }

    /** Adds a regular file with {@code mode} (e.g. {@code 0755}). */
    public TarBuilder file(String path, int mode, byte[] content) {
        header(path, mode, content.length, '0');
        out.writeBytes(content);
        out.writeBytes(new byte[(BLOCK - content.length % BLOCK) % BLOCK]);
        return this;
    }

    /** The archive, closed with the two zero blocks that mark its end. */
    public byte[] build() {
        byte[] entries = out.toByteArray();
        return Arrays.copyOf(entries, entries.length + 2 * BLOCK);
    }

    /** A ustar header owned by root with mtime 0, so that the same entries always make the same bytes. */
    private void header(String name, int mode, long size, char type) {
        byte[] header = new byte[BLOCK];
        text(header, 0, 100, name);
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, 0);
        header[156] = (byte) type;
        text(header, 257, 6, "ustar");
        text(header, 263, 2, "00");
        // The checksum is summed with its own field read as spaces, then written as six digits, NUL, space.
        text(header, 148, 8, "        ");
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        header[155] = ' ';
        out.writeBytes(header);
    }

    private static void text(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > length) {
            throw new IllegalArgumentException("too long for a ustar field of " + length + " bytes: " + value);
        }
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    /** {@code length - 1} zero-padded octal digits and a NUL. */
    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        text(header, offset, length - 1, "0".repeat(Math.max(0, length - 1 - digits.length())) + digits);
        header[offset + length - 1] = 0;
    }
}
