package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link Storage} in an S3 bucket, shared by every instance that names it. Small objects are one PutObject, large ones
 * multipart uploads of {@link #PART_SIZE} parts, completed only on commit, so readers see an object whole or not at all.
 * Reads are ranged GETs. Files arriving locally are spooled in a scratch directory on local disk before they are
 * imported.
 */
public final class S3Storage implements Storage, PartUploads, AutoCloseable {
    /** The part size of multipart uploads, and the most a writer holds in memory: objects up to 78 GiB. */
    static final int PART_SIZE = 8 * 1024 * 1024;

    private final S3Settings settings;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final ScratchDirectory scratch;
    private final S3Listing listing;
    private final S3ConditionalWrites conditionalWrites;

    /** A store over the bucket {@code settings} name, with local scratch files in {@code scratch} (created if absent). */
    public S3Storage(S3Settings settings, Path scratch) {
        this.settings = settings;
        this.bucket = settings.bucket();
        this.scratch = new ScratchDirectory(scratch);
        this.s3 = S3Clients.client(settings);
        this.presigner = S3Clients.presigner(settings);
        this.listing = new S3Listing(s3, bucket);
        this.conditionalWrites = new S3ConditionalWrites(s3, bucket);
    }

    /** A store over the bucket, once {@link S3StartupCheck} has found it reachable, with the credentials accepted. */
    public static S3Storage connect(S3Settings settings, Path scratch) {
        S3Storage storage = new S3Storage(settings, scratch);
        try {
            new S3StartupCheck(settings, storage.s3).run();
            return storage;
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return head(key).map(h -> new ObjectInfo(h.contentLength(), h.lastModified()));
    }

    private Optional<HeadObjectResponse> head(String key) {
        StorageKeys.check(key);
        try {
            return Optional.of(s3.headObject(r -> r.bucket(bucket).key(key)));
        } catch (SdkException e) {
            if (S3Failures.isAbsent(e)) {
                return Optional.empty();
            }
            throw S3Failures.of("HeadObject", key, e);
        }
    }

    @Override
    public Optional<ObjectReader> open(String key) {
        return head(key).map(h -> new S3Reader(s3, bucket, key, h.contentLength(), h.eTag()));
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) {
        return conditionalWrites.readVersioned(key, maxBytes).map(ConditionalWrites.Versioned::content);
    }

    @Override
    public void write(String key, byte[] content) {
        put(StorageKeys.check(key), RequestBody.fromBytes(content));
    }

    void put(String key, RequestBody body) {
        try {
            s3.putObject(r -> r.bucket(bucket).key(key), body);
        } catch (SdkException e) {
            throw S3Failures.of("PutObject", key, e);
        }
    }

    @Override
    public ObjectWriter create(String key) {
        return new S3Writer(this, StorageKeys.check(key), PART_SIZE);
    }

    @Override
    public Path newScratchFile() {
        try {
            return scratch.newFile();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void importFile(String key, Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            StorageKeys.check(key);
            long size = channel.size();
            // At most 10,000 parts: past 78 GiB, the parts grow.
            long partSize = Math.max(PART_SIZE, (size + 9_999) / 10_000);
            if (size <= partSize) {
                put(key, range(channel, 0, size));
                return;
            }
            String assembly = begin(key);
            try {
                List<String> etags = new ArrayList<>();
                for (long offset = 0; offset < size; offset += partSize) {
                    etags.add(uploadPart(key, assembly, etags.size() + 1,
                            range(channel, offset, Math.min(partSize, size - offset))));
                }
                complete(key, assembly, etags);
            } catch (RuntimeException e) {
                abort(key, assembly);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + file + " to S3 as " + key, e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // recover() empties the scratch directory at the next start
            }
        }
    }

    private static RequestBody range(FileChannel channel, long offset, long length) {
        return RequestBody.fromContentProvider(() -> new FileRange(channel, offset, length), length,
                "application/octet-stream");
    }

    @Override
    public Optional<URI> presign(String key, Duration ttl) {
        StorageKeys.check(key);
        try {
            return Optional.of(presigner.presignGetObject(p -> p.signatureDuration(ttl)
                    .getObjectRequest(r -> r.bucket(bucket).key(key))).url().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK presigned an invalid URL", e);
        }
    }

    @Override
    public boolean delete(String key) {
        // S3 deletes absent objects without a word: a HEAD tells whether there was one.
        if (head(key).isEmpty()) {
            return false;
        }
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (SdkException e) {
            throw S3Failures.of("DeleteObject", key, e);
        }
    }

    @Override
    public void deleteAll(String prefix) {
        // Never the empty prefix: that would be the whole bucket.
        listing.deleteAll(StorageKeys.check(prefix));
    }

    @Override
    public List<String> list(String prefix) {
        return listing.children(prefix);
    }

    @Override
    public void recover() {
        scratch.empty();
    }

    @Override
    public String begin(String key) {
        StorageKeys.check(key);
        try {
            return s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
        } catch (SdkException e) {
            throw S3Failures.of("CreateMultipartUpload", key, e);
        }
    }

    @Override
    public String uploadPart(String key, String assembly, int number, InputStream content, long length) {
        return uploadPart(StorageKeys.check(key), assembly, number, RequestBody.fromInputStream(content, length));
    }

    String uploadPart(String key, String assembly, int number, RequestBody body) {
        try {
            return s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(assembly).partNumber(number), body).eTag();
        } catch (SdkException e) {
            throw S3Failures.of("UploadPart " + number + " of", key, e);
        }
    }

    @Override
    public void complete(String key, String assembly, List<String> etags) {
        StorageKeys.check(key);
        List<CompletedPart> parts = IntStream.range(0, etags.size())
                .mapToObj(i -> CompletedPart.builder().partNumber(i + 1).eTag(etags.get(i)).build()).toList();
        try {
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(assembly)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (SdkException e) {
            throw S3Failures.of("CompleteMultipartUpload", key, e);
        }
    }

    @Override
    public void abort(String key, String assembly) {
        StorageKeys.check(key);
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(assembly));
        } catch (SdkException e) {
            if (!S3Failures.isAbsent(e)) {
                throw S3Failures.of("AbortMultipartUpload", key, e);
            }
        }
    }

    /**
     * Writes and deletes a small object under {@code health/}: proof that the bucket takes writes now. Throws when it
     * does not (the store unreachable, the credentials refused).
     */
    public void probeWrite(String instance) {
        String key = StorageKeys.check("health/" + instance);
        write(key, new byte[] {1});
        delete(key);
    }

    /** Compare-and-set on small objects of this bucket, for coordination between instances. */
    public ConditionalWrites conditionalWrites() {
        return conditionalWrites;
    }

    /** The bucket and where it is, for messages. */
    @Override
    public String toString() {
        return "S3Storage[" + settings + "]";
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
