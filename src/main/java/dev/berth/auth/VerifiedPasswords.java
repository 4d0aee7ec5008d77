package dev.berth.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Passwords recently verified, by user, so that a client sending Basic credentials with every request pays bcrypt once
 * every few minutes rather than every time. Only a salted SHA-256 of each password is kept, never the password.
 */
final class VerifiedPasswords {
    private static final Duration REMEMBERED_FOR = Duration.ofMinutes(5);
    // Random per process, so a fingerprint seen in a heap dump cannot be looked up in a precomputed table.
    private static final byte[] SALT = salt();

    private final Cache<String, byte[]> fingerprints;

    /** Remembers each password for a few minutes. */
    VerifiedPasswords() {
        this(REMEMBERED_FOR, Ticker.systemTicker());
    }

    /** Remembers each password for {@code rememberedFor}, as {@code ticker} tells time. */
    VerifiedPasswords(Duration rememberedFor, Ticker ticker) {
        fingerprints = Caffeine.newBuilder().expireAfterWrite(rememberedFor).maximumSize(10_000).ticker(ticker)
                .build();
    }

    /** Whether {@code password} is the one last verified for {@code user}, within the last few minutes. */
    boolean contains(String user, byte[] password) {
        byte[] known = fingerprints.getIfPresent(user);
        // Constant time, so response times do not tell how much of a guess matched.
        return known != null && MessageDigest.isEqual(known, Sha256.of(SALT, password));
    }

    /** Remembers that {@code password} is {@code user}'s. */
    void add(String user, byte[] password) {
        fingerprints.put(user, Sha256.of(SALT, password));
    }

    private static byte[] salt() {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        return salt;
    }
}
