package dev.berth.support;

import dev.berth.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Random;

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
