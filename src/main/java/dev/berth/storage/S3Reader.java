package dev.berth.storage;

import java.io.InputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An object in a bucket, as a HEAD found it: each {@link #stream} is a ranged GET from its offset, read as it arrives,
 * and only of that version of the object (If-Match its entity tag): one replaced meanwhile fails rather than mixes.
 */
final class S3Reader implements ObjectReader {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final long size;
    private final String etag;

    S3Reader(S3Client s3, String bucket, String key, long size, String etag) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.size = size;
        this.etag = etag;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream stream(long offset) {
        if (offset >= size) {
            // S3 answers 416 to a range that starts at the end.
            return InputStream.nullInputStream();
        }
        try {
            return s3.getObject(r -> r.bucket(bucket).key(key).range("bytes=" + offset + "-").ifMatch(etag));
        } catch (SdkException e) {
            throw S3Failures.of("GetObject", key, e);
        }
    }

    @Override
    public void close() {
        // Each stream is its own request, closed by whoever reads it.
    }
}
