package dev.berth.support;

import java.util.zip.CRC32;
import okio.Buffer;

/**
 * A gzip body that inflates to far more than it weighs: {@code prefix}, then {@code fill} repeated. Written directly
 * as deflate's fixed-Huffman codes (13 bits for every 258 bytes of fill), so a body of hundreds of megabytes
 * inflated costs the test a few megabytes and milliseconds, with nothing large ever held.
 */
public final class GzipBomb {
    private static final int MAX_MATCH = 258;

    private final Buffer out = new Buffer();
    private int bits;
    private int bitCount;

    private GzipBomb() {
    }

    /** The gzip bytes of {@code prefix} (ASCII) followed by at least {@code fillBytes} of {@code fill} (ASCII). */
    public static Buffer of(String prefix, char fill, long fillBytes) {
        return new GzipBomb().write(prefix, fill, fillBytes);
    }

    private Buffer write(String prefix, char fill, long fillBytes) {
        long repeats = Math.max(1, (fillBytes - 1 + MAX_MATCH - 1) / MAX_MATCH);
        // Header: magic, deflate, no flags, no time, no extra flags, unknown OS.
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
        bits(1, 1); // the last block
        bits(1, 2); // fixed Huffman codes
        CRC32 crc = new CRC32();
        for (char c : prefix.toCharArray()) {
            literal(c);
            crc.update(c);
        }
        literal(fill);
        crc.update(fill);
        byte[] run = new byte[MAX_MATCH];
        java.util.Arrays.fill(run, (byte) fill);
        for (long i = 0; i < repeats; i++) {
            code(0b11000101, 8); // length code 285: 258 bytes
            code(0, 5); // distance code 0: one byte back
            crc.update(run);
        }
        code(0, 7); // end of block
        if (bitCount > 0) {
            out.writeByte(bits);
        }
        long size = prefix.length() + 1 + repeats * MAX_MATCH;
        out.writeIntLe((int) crc.getValue());
        out.writeIntLe((int) size);
        return out;
    }

    private void literal(char c) {
        if (c >= 144) {
            throw new IllegalArgumentException("ASCII only");
        }
        code(0x30 + c, 8);
    }

    /** A Huffman code: its most significant bit first. */
    private void code(int code, int length) {
        for (int i = length - 1; i >= 0; i--) {
            bits((code >>> i) & 1, 1);
        }
    }

    /** A number: its least significant bit first, packed from each byte's lowest bit. */
    private void bits(int value, int count) {
        for (int i = 0; i < count; i++) {
            bits |= ((value >>> i) & 1) << bitCount;
            if (++bitCount == 8) {
                out.writeByte(bits);
                bits = 0;
                bitCount = 0;
            }
        }
    }
}
