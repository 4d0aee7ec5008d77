import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The benchmark's test content, made deterministically from seeds: the same seed gives the same bytes in every
 * registry and every run, and large blobs are generated as they are streamed, never held in memory.
 */
final class Content {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    private Content() {
    }

    /** A blob: its digest, its size and a way to read its bytes again. */
    record Blob(String digest, long size, Supplier<InputStream> source) {
        /** Pseudo-random (incompressible) bytes from {@code seed}; the digest costs one pass over them. */
        static Blob generated(long seed, long size) {
            Supplier<InputStream> source = () -> new GeneratedStream(seed, size);
            return new Blob(sha256(source.get()), size, source);
        }

        static Blob of(byte[] bytes) {
            Supplier<InputStream> source = () -> new ByteArrayInputStream(bytes);
            return new Blob(sha256(source.get()), bytes.length, source);
        }
    }

    /** An OCI image: its manifest (stored under a tag) and the blobs it names, config first. */
    record Image(byte[] manifest, List<Blob> blobs) {
        long size() {
            return blobs.stream().mapToLong(Blob::size).sum();
        }

        /** An image whose config names {@code seed} and whose layers have the given sizes. */
        static Image generated(long seed, long... layerSizes) {
            String configJson = "{\"architecture\":\"amd64\",\"os\":\"linux\","
                    + "\"config\":{\"Labels\":{\"bench.seed\":\"" + seed + "\"}},"
                    + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
            Blob config = Blob.of(configJson.getBytes(StandardCharsets.UTF_8));
            List<Blob> blobs = new ArrayList<>(List.of(config));
            StringBuilder layers = new StringBuilder();
            for (int i = 0; i < layerSizes.length; i++) {
                Blob layer = Blob.generated(seed * 1_000 + i, layerSizes[i]);
                blobs.add(layer);
                layers.append(i == 0 ? "" : ",").append(descriptor(OCI_LAYER, layer));
            }
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                    + descriptor(OCI_CONFIG, config) + ",\"layers\":[" + layers + "]}";
            return new Image(manifest.getBytes(StandardCharsets.UTF_8), List.copyOf(blobs));
        }

        private static String descriptor(String mediaType, Blob blob) {
            return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + blob.digest() + "\",\"size\":"
                    + blob.size() + "}";
        }
    }

    static String sha256(InputStream in) {
        try (in) {
            MessageDigest sha = sha256();
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
            return hex(sha);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String hex(MessageDigest sha) {
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    /** {@code size} bytes of a SplittableRandom sequence, produced in blocks as they are read. */
    private static final class GeneratedStream extends InputStream {
        private static final VarHandle LONGS =
                MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        private final SplittableRandom random;
        private final byte[] block = new byte[64 * 1024];
        private long remaining;
        private int position = block.length;

        GeneratedStream(long seed, long size) {
            this.random = new SplittableRandom(seed);
            this.remaining = size;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            if (position == block.length) {
                for (int i = 0; i < block.length; i += Long.BYTES) {
                    LONGS.set(block, i, random.nextLong());
                }
                position = 0;
            }
            int n = (int) Math.min(Math.min(len, block.length - position), remaining);
            System.arraycopy(block, position, b, off, n);
            position += n;
            remaining -= n;
            return n;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }
}
