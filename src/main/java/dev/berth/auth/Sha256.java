package dev.berth.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of byte arrays, one after the other. */
final class Sha256 {
    private Sha256() {
    }

    static byte[] of(byte[]... parts) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (byte[] part : parts) {
            sha256.update(part);
        }
        return sha256.digest();
    }
}
