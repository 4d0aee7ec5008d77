package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResumableSha256Test {
    private static byte[] jdk(byte[] bytes) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    @Test
    void knownAnswers() {
        ResumableSha256 empty = new ResumableSha256();
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(empty.digest()));
        ResumableSha256 abc = new ResumableSha256();
        abc.update("abc".getBytes(), 0, 3);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(abc.digest()));
    }

    @Test
    void matchesTheJdkForEveryLengthAroundTheBlockAndPaddingEdges() throws Exception {
        Random random = new Random(7);
        for (int length = 0; length < 300; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            ResumableSha256 digest = new ResumableSha256();
            digest.update(bytes, 0, length);
            assertArrayEquals(jdk(bytes), digest.digest(), "length " + length);
        }
    }

    @Test
    void savedAndRestoredAtAnyPointGivesTheSameDigest() throws Exception {
        Random random = new Random(11);
        byte[] bytes = new byte[1_000_000];
        random.nextBytes(bytes);
        for (int i = 0; i < 50; i++) {
            ResumableSha256 digest = new ResumableSha256();
            int position = 0;
            while (position < bytes.length) {
                int chunk = Math.min(bytes.length - position, random.nextInt(100_000));
                digest.update(bytes, position, chunk);
                position += chunk;
                byte[] saved = digest.save();
                digest = ResumableSha256.restore(saved);
                assertEquals(position, digest.count());
            }
            assertArrayEquals(jdk(bytes), digest.digest());
        }
    }

    @Test
    void refusesADamagedState() {
        ResumableSha256 digest = new ResumableSha256();
        digest.update(new byte[70], 0, 70);
        byte[] saved = digest.save();
        assertThrows(IllegalArgumentException.class, () -> ResumableSha256.restore(new byte[10]));
        byte[] truncated = java.util.Arrays.copyOf(saved, saved.length - 1);
        assertThrows(IllegalArgumentException.class, () -> ResumableSha256.restore(truncated));
        saved[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> ResumableSha256.restore(saved));
    }
}
