package dev.berth.support;

import dev.berth.oci.Digest;
import dev.berth.registry.BlobContent;
import dev.berth.registry.Repository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.SplittableRandom;

/** Content for tests: reproducible random bytes, digests, and small manifests. */
public final class TestData {
    private TestData() {
    }

    /** {@code size} pseudo-random bytes from {@code seed}. */
    public static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * {@code size} pseudo-random bytes from {@code seed}, made as they are read: a blob of hundreds of MiB then
     * costs no heap. The same seed gives the same bytes whatever sizes they are read in.
     */
    public static InputStream stream(long size, long seed) {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private final byte[] chunk = new byte[64 * 1024];
            private int position = chunk.length;
            private long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                if (position == chunk.length) {
                    random.nextBytes(chunk);
                    position = 0;
                }
                int n = (int) Math.min(Math.min(len, chunk.length - position), left);
                System.arraycopy(chunk, position, b, off, n);
                position += n;
                left -= n;
                return n;
            }
        };
    }

    /** The sha256 digest text of the bytes {@code repo} serves for {@code digest}. */
    public static String servedDigest(Repository repo, Digest digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlobContent blob = repo.openBlob(digest)) {
            blob.copyTo(0, blob.size(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return digest(out.toByteArray());
    }

    /** The sha256 digest text of {@code bytes}. */
    public static String digest(byte[] bytes) {
        return Digest.sha256(bytes).toString();
    }

    /** UTF-8 bytes. */
    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A descriptor JSON object. */
    public static String descriptor(String mediaType, byte[] content) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest(content) + "\",\"size\":"
                + content.length + "}";
    }

    /** An OCI image manifest over {@code config} and {@code layers}. */
    public static byte[] ociManifest(byte[] config, byte[]... layers) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",");
        json.append("\"config\":").append(descriptor("application/vnd.oci.image.config.v1+json", config));
        json.append(",\"layers\":[");
        for (int i = 0; i < layers.length; i++) {
            json.append(i > 0 ? "," : "").append(descriptor("application/vnd.oci.image.layer.v1.tar", layers[i]));
        }
        return utf8(json.append("]}").toString());
    }
}
