package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Small objects of a bucket read with their versions, and compare-and-set on them through S3's conditional writes: {@code If-None-Match: *} to create,
 * {@code If-Match: <etag>} to replace. S3 refuses a write whose condition fails with 412, and one that races another
 * conditional write of the same key with 409; both are a lost race here.
 */
final class S3ConditionalWrites implements ConditionalWrites {
    private final S3Client s3;
    private final String bucket;

    S3ConditionalWrites(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    @Override
    public Optional<Versioned> readVersioned(String key, int maxBytes) {
        StorageKeys.check(key);
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket).key(key))) {
            long size = in.response().contentLength();
            if (size > maxBytes) {
                in.abort();
                throw new IOException(key + " is " + size + " bytes, over the " + maxBytes + " expected");
            }
            return Optional.of(new Versioned(in.readAllBytes(), in.response().eTag()));
        } catch (SdkException e) {
            if (S3Failures.isAbsent(e)) {
                return Optional.empty();
            }
            throw S3Failures.of("GetObject", key, e);
        } catch (IOException e) {
            throw new UncheckedIOException("S3 GetObject " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean writeIfAbsent(String key, byte[] content) {
        return put(key, content, r -> r.ifNoneMatch("*"));
    }

    @Override
    public boolean writeIfMatch(String key, byte[] content, String version) {
        return put(key, content, r -> r.ifMatch(version));
    }

    @Override
    public boolean honoured(String probeKey) {
        try {
            // A probe a crash left would make the first write fail on a store that keeps the condition.
            s3.deleteObject(r -> r.bucket(bucket).key(probeKey));
            boolean first = writeIfAbsent(probeKey, new byte[] {1});
            boolean second = writeIfAbsent(probeKey, new byte[] {2});
            return first && !second;
        } finally {
            try {
                s3.deleteObject(r -> r.bucket(bucket).key(probeKey));
            } catch (SdkException e) {
                // A probe left behind is one small object, deleted by the next start's probe.
            }
        }
    }

    private boolean put(String key, byte[] content, java.util.function.Consumer<PutObjectRequest.Builder> condition) {
        StorageKeys.check(key);
        try {
            s3.putObject(r -> condition.accept(r.bucket(bucket).key(key)), RequestBody.fromBytes(content));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw S3Failures.of("PutObject", key, e);
        } catch (SdkException e) {
            throw S3Failures.of("PutObject", key, e);
        }
    }
}
