package dev.berth.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What one client of a blob got (status, announced digest, how many bytes and what they hash to, whether the body
 * broke off) and when (nanoTime).
 */
public record BlobDownload(int status, String digestHeader, long bytes, String digest, boolean broken, long headersAt,
                           long doneAt) {
    /** Reads {@code response}'s body to its end, or until it breaks off. */
    public static BlobDownload of(HttpResponse<InputStream> response) {
        long headersAt = System.nanoTime();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        boolean broken = false;
        try (InputStream body = response.body()) {
            for (int n; (n = body.read(buffer)) >= 0; total += n) {
                sha256.update(buffer, 0, n);
            }
        } catch (IOException e) {
            broken = true;
        }
        return new BlobDownload(response.statusCode(),
                response.headers().firstValue("Docker-Content-Digest").orElse(""), total,
                "sha256:" + HexFormat.of().formatHex(sha256.digest()), broken, headersAt, System.nanoTime());
    }
}
