package dev.berth.registry;

import java.nio.ByteBuffer;

/**
 * SHA-256 (FIPS 180-4) whose running state can be saved and restored, so that an upload's digest goes on where the
 * previous chunk left it, on whichever instance the next chunk reaches, without reading the stored bytes back
 * (distribution keeps its "hashstates" for the same reason). The JDK's own digest cannot export its state.
 */
public final class ResumableSha256 {
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };
    private static final int[] INITIAL = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    private static final int BLOCK = 64;
    /** Saved state: a version byte, eight state words, the byte count, then the partial block. */
    private static final byte VERSION = 1;

    private final int[] state;
    private final byte[] block = new byte[BLOCK];
    private final int[] words = new int[64];
    private int buffered;
    private long count;

    /** A digest of nothing yet. */
    public ResumableSha256() {
        this.state = INITIAL.clone();
    }

    /** A digest that goes on from a {@link #save() saved} state; throws IllegalArgumentException for a damaged one. */
    public static ResumableSha256 restore(byte[] saved) {
        ByteBuffer in = ByteBuffer.wrap(saved);
        if (saved.length < 1 + 32 + 8 || in.get() != VERSION) {
            throw new IllegalArgumentException("not a saved sha256 state");
        }
        ResumableSha256 digest = new ResumableSha256();
        for (int i = 0; i < 8; i++) {
            digest.state[i] = in.getInt();
        }
        digest.count = in.getLong();
        digest.buffered = in.remaining();
        if (digest.count < 0 || digest.buffered != (int) (digest.count % BLOCK)) {
            throw new IllegalArgumentException("not a saved sha256 state");
        }
        in.get(digest.block, 0, digest.buffered);
        return digest;
    }

    /** The state, to {@link #restore} later; at most 105 bytes. */
    public byte[] save() {
        ByteBuffer out = ByteBuffer.allocate(1 + 32 + 8 + buffered);
        out.put(VERSION);
        for (int word : state) {
            out.putInt(word);
        }
        out.putLong(count);
        out.put(block, 0, buffered);
        return out.array();
    }

    /** Bytes hashed so far. */
    public long count() {
        return count;
    }

    /** Hashes {@code length} bytes of {@code bytes} from {@code offset}. */
    public void update(byte[] bytes, int offset, int length) {
        count += length;
        int position = offset;
        int end = offset + length;
        if (buffered > 0) {
            int take = Math.min(BLOCK - buffered, length);
            System.arraycopy(bytes, position, block, buffered, take);
            buffered += take;
            position += take;
            if (buffered < BLOCK) {
                return;
            }
            compress(block, 0);
            buffered = 0;
        }
        while (end - position >= BLOCK) {
            compress(bytes, position);
            position += BLOCK;
        }
        buffered = end - position;
        System.arraycopy(bytes, position, block, 0, buffered);
    }

    /** The digest of everything hashed; this object is spent afterwards. */
    public byte[] digest() {
        long bits = count * 8;
        byte[] padding = new byte[(buffered < 56 ? 56 : 120) - buffered + 8];
        padding[0] = (byte) 0x80;
        ByteBuffer.wrap(padding).putLong(padding.length - 8, bits);
        long counted = count;
        update(padding, 0, padding.length);
        count = counted;
        ByteBuffer out = ByteBuffer.allocate(32);
        for (int word : state) {
            out.putInt(word);
        }
        return out.array();
    }

    private void compress(byte[] bytes, int offset) {
        int[] w = words;
        for (int i = 0; i < 16; i++) {
            int at = offset + 4 * i;
            w[i] = (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8
                    | (bytes[at + 3] & 0xff);
        }
        for (int i = 16; i < 64; i++) {
            int s0 = Integer.rotateRight(w[i - 15], 7) ^ Integer.rotateRight(w[i - 15], 18) ^ (w[i - 15] >>> 3);
            int s1 = Integer.rotateRight(w[i - 2], 17) ^ Integer.rotateRight(w[i - 2], 19) ^ (w[i - 2] >>> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        int a = state[0];
        int b = state[1];
        int c = state[2];
        int d = state[3];
        int e = state[4];
        int f = state[5];
        int g = state[6];
        int h = state[7];
        for (int i = 0; i < 64; i++) {
            int t1 = h + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                    + ((e & f) ^ (~e & g)) + K[i] + w[i];
            int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
                    + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}
