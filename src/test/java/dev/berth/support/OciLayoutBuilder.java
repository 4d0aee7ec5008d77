package dev.berth.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/** Writes an OCI image layout directory holding images of random layers and multi-arch indexes made by the test. */
public final class OciLayoutBuilder {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    // Gzip, so that skopeo has no reason to compress (and so re-digest) layers on the way to a registry.
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    // This machine's platform, so that clients that pull for it (dockerd, ctr) take the image.
    public static final String HOST_ARCHITECTURE =
            "aarch64".equals(System.getProperty("os.arch")) ? "arm64" : "amd64";
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Random random;
    private final List<Map<String, Object>> refs = new ArrayList<>();

    /** A layout in {@code root} (created if needed); {@code seed} makes the random layer content reproducible. */
    public OciLayoutBuilder(Path root, long seed) {
        this.root = root;
        this.random = new Random(seed);
        try {
            Files.createDirectories(root.resolve("blobs/sha256"));
            Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeIndexJson();
    }

    /** A content-addressed blob in the layout. */
    public record Blob(String mediaType, String digest, long size) {
        /** The blob's descriptor as it appears in manifests. */
        public Map<String, Object> descriptor() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", mediaType);
            d.put("digest", digest);
            d.put("size", size);
            return d;
        }

        /** The hex part of the digest, which is also the blob's file name under {@code blobs/sha256}. */
        public String hex() {
            return digest.substring("sha256:".length());
        }
    }

    /** An image: its manifest, config and layers, for one platform. */
    public record Image(Blob manifest, Blob config, List<Blob> layers, String os, String architecture) {
        /** The config and the layers: the blobs a pull fetches. */
        public List<Blob> blobs() {
            List<Blob> blobs = new ArrayList<>(List.of(config));
            blobs.addAll(layers);
            return blobs;
        }
    }

    /** A multi-arch index and the images it lists. */
    public record Index(Blob manifest, List<Image> images) {
    }

    /** Where a blob of this layout is stored. */
    public Path blobPath(Blob blob) {
        return blobPath(root, blob);
    }

    /** Where a blob of any OCI layout in {@code layout} is stored. */
    public static Path blobPath(Path layout, Blob blob) {
        return layout.resolve("blobs/sha256").resolve(blob.hex());
    }

    /** Writes an image for linux/{@code architecture} of {@code layers} gzipped random layers of {@code layerBytes}. */
    public Image image(String architecture, int layers, int layerBytes) {
        List<Content> contents = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            contents.add(out -> writeRandom(out, layerBytes));
        }
        return image(architecture, contents);
    }

    /** Writes an image for linux/{@code architecture} whose layers are the tar archives {@code layerTars}, gzipped. */
    public Image image(String architecture, byte[]... layerTars) {
        return image(architecture, Stream.of(layerTars).<Content>map(tar -> out -> out.write(tar)).toList());
    }

    private Image image(String architecture, List<Content> layers) {
        List<Blob> layerBlobs = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (Content layer : layers) {
            MessageDigest diffId = sha256();
            layerBlobs.add(writeBlob(OCI_LAYER_GZIP, out -> writeGzip(out, layer, diffId)));
            diffIds.add(digestString(diffId));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", architecture);
        config.put("os", "linux");
        config.put("config", Map.of());
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        Blob configBlob = writeJson(OCI_CONFIG, config);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", configBlob.descriptor());
        manifest.put("layers", layerBlobs.stream().map(Blob::descriptor).toList());
        return new Image(writeJson(OCI_MANIFEST, manifest), configBlob, List.copyOf(layerBlobs), "linux", architecture);
    }

    /** Writes an OCI index listing {@code images} with their platforms. */
    public Index index(Image... images) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Image image : images) {
            Map<String, Object> entry = image.manifest().descriptor();
            entry.put("platform", Map.of("architecture", image.architecture(), "os", image.os()));
            entries.add(entry);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.put("manifests", entries);
        return new Index(writeJson(OCI_INDEX, index), List.of(images));
    }

    /** Names {@code manifest} {@code refName} in {@code index.json}, so that skopeo can address it as {@code oci:DIR:refName}. */
    public OciLayoutBuilder tag(String refName, Blob manifest) {
        Map<String, Object> entry = manifest.descriptor();
        entry.put("annotations", Map.of(REF_NAME, refName));
        refs.add(entry);
        writeIndexJson();
        return this;
    }

    private void writeIndexJson() {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.put("manifests", refs);
        try {
            JSON.writeValue(root.resolve("index.json").toFile(), index);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Blob writeJson(String mediaType, Object value) {
        return writeBlob(mediaType, out -> JSON.writeValue(out, value));
    }

    /** Gzips {@code content} into {@code out}, hashing the uncompressed bytes (the diff ID) into {@code diffId}. */
    private static void writeGzip(OutputStream out, Content content, MessageDigest diffId) throws IOException {
        try (DigestOutputStream plain = new DigestOutputStream(new GZIPOutputStream(out), diffId)) {
            content.writeTo(plain);
        }
    }

    private void writeRandom(OutputStream out, int bytes) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (int left = bytes; left > 0; left -= chunk.length) {
            random.nextBytes(chunk);
            out.write(chunk, 0, Math.min(left, chunk.length));
        }
    }

    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Streams content to a temporary file while hashing it, then moves it to its content address. */
    private Blob writeBlob(String mediaType, Content content) {
        try {
            Path temp = Files.createTempFile(root.resolve("blobs/sha256"), "upload", ".tmp");
            MessageDigest digest = sha256();
            try (DigestOutputStream out = new DigestOutputStream(Files.newOutputStream(temp), digest)) {
                // Content writers (Jackson, gzip) close what they are given; the file is closed here.
                content.writeTo(nonClosing(out));
            }
            Blob blob = new Blob(mediaType, digestString(digest), Files.size(temp));
            Files.move(temp, blobPath(blob), StandardCopyOption.REPLACE_EXISTING);
            return blob;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static String digestString(MessageDigest digest) {
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
