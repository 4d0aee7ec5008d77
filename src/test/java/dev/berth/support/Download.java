package dev.berth.support;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * What one client got of a blob (status, announced digest, how many bytes and what they hash to) and when
 * ({@link System#nanoTime()}), read as it streams so a large blob never sits in memory.
 */
public record Download(int status, String digestHeader, long bytes, String digest, long headersAt, long doneAt) {
    /** Reads {@code response}'s whole body, hashing it. */
    public static Download of(HttpResponse<InputStream> response) throws Exception {
        long headersAt = System.nanoTime();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        try (InputStream body = response.body()) {
            for (int n; (n = body.read(buffer)) >= 0; total += n) {
                sha256.update(buffer, 0, n);
            }
        }
        return new Download(response.statusCode(), response.headers().firstValue("Docker-Content-Digest").orElse(""),
                total, "sha256:" + HexFormat.of().formatHex(sha256.digest()), headersAt, System.nanoTime());
    }
}
