package dev.berth;

import dev.berth.oci.Digest;
import java.security.MessageDigest;

/**
 * Hashes a few MiB of zeros once at start, beside the rest of the start-up: the JIT compiler then has the digest's
 * block loop compiled (with the CPU's SHA instructions) before the first cold blob, whose bytes would otherwise be
 * hashed by slower code for a tenth of a second or so while the compiler catches up, exactly when pulls pile up after
 * a restart. Costs a few milliseconds of CPU once compiled (in a JVM that starts several servers).
 */
final class DigestWarmUp {
    /** Updates of the size the download's reads hand over in the fill's first moments, and how many. */
    private static final int UPDATE = 8 * 1024;
    private static final int UPDATES = 1_024;

    private DigestWarmUp() {
    }

    /** Starts the hashing on a thread of its own, which ends when done. */
    static void start() {
        Thread.ofPlatform().daemon().name("berth-digest-warm-up").start(DigestWarmUp::run);
    }

    private static void run() {
        byte[] zeros = new byte[UPDATE];
        MessageDigest digest = Digest.newHasher("sha256");
        for (int i = 0; i < UPDATES; i++) {
            digest.update(zeros, 0, zeros.length);
        }
        digest.digest();
    }
}
