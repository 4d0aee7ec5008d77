package dev.berth.jobs;

import dev.berth.mirror.MirroredRepository;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.OciError;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.registry.BlobContent;
import dev.berth.registry.StoredManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Caches one image through the mirror: its manifest, the manifests of the platforms an index lists (all, or those the
 * given platforms narrow it to), and every blob they need, reporting progress as bytes arrive.
 */
final class ImageWarmer {
    /** An index of indexes is followed this deep, no deeper. */
    private static final int MAX_DEPTH = 2;

    private final MirroredRepository repository;
    private final List<Platform> platforms;
    private final ImageProgress progress;
    private final BooleanSupplier cancelled;

    /** A warmer of images in {@code repository}, narrowed to {@code platforms} unless that is empty. */
    ImageWarmer(MirroredRepository repository, List<Platform> platforms, ImageProgress progress,
                BooleanSupplier cancelled) {
        this.repository = repository;
        this.platforms = List.copyOf(platforms);
        this.progress = progress;
        this.cancelled = cancelled;
    }

    /** Caches the image {@code reference} names; a RegistryException says why not, CancellationException if cancelled. */
    void warm(Reference reference) throws IOException {
        StoredManifest top = repository.manifest(reference);
        progress.resolved(top.digest());
        List<Manifest> images = new ArrayList<>();
        collect(top, 0, images);
        Map<Digest, Long> blobs = new LinkedHashMap<>();
        images.forEach(image -> image.requiredBlobs().forEach(d -> blobs.putIfAbsent(d.digest(), d.size())));
        progress.expect(blobs.size(), blobs.values().stream().mapToLong(Long::longValue).sum());
        for (Map.Entry<Digest, Long> blob : blobs.entrySet()) {
            checkCancelled();
            fetch(blob.getKey(), blob.getValue());
            progress.layerDone();
        }
    }

    private void collect(StoredManifest stored, int depth, List<Manifest> images) {
        checkCancelled();
        if (!MediaTypes.isIndex(stored.mediaType())) {
            images.add(ManifestParser.parse(stored.bytes(), stored.mediaType()));
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw new RegistryException(OciError.MANIFEST_INVALID, "indexes nested deeper than " + MAX_DEPTH);
        }
        List<IndexEntry> entries = IndexEntry.of(stored);
        List<IndexEntry> taken = platforms.isEmpty() ? entries : entries.stream()
                .filter(e -> e.platform().filter(p -> platforms.stream().anyMatch(w -> w.matches(p))).isPresent())
                .toList();
        if (taken.isEmpty() && !platforms.isEmpty()) {
            String listed = entries.stream().flatMap(e -> e.platform().stream()).map(Platform::toString).distinct()
                    .collect(Collectors.joining(", "));
            String wanted = platforms.stream().map(Platform::toString).collect(Collectors.joining(" or "));
            throw new RegistryException(OciError.MANIFEST_UNKNOWN, "the image has no " + wanted
                    + " platform" + (listed.isEmpty() ? "" : " (it has " + listed + ")"));
        }
        for (IndexEntry entry : taken) {
            entry.platform().ifPresent(p -> progress.platform(p.toString()));
            collect(repository.manifest(new Reference.ByDigest(entry.digest())), depth + 1, images);
        }
    }

    /** Fetches a blob unless it is cached, counting its bytes as they arrive. */
    private void fetch(Digest digest, long size) throws IOException {
        if (repository.hasBlob(digest)) {
            progress.bytes(size);
            return;
        }
        try (BlobContent blob = repository.openBlob(digest)) {
            // Read through: the download is shared with any client pulling it now, and reading is how to follow it.
            blob.copyTo(0, blob.size(), new ProgressSink());
        }
    }

    private void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("cancelled");
        }
    }

    /** Counts the bytes of a blob as they arrive, and stops reading once the job is cancelled. */
    private final class ProgressSink extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            checkCancelled();
            progress.bytes(length);
        }
    }
}
