package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A bucket's keys seen as directories: the children under a prefix, as a directory listing would show them (objects and
 * "sub-directories" up to the next {@code /}), and deleting everything under a prefix. Both page through ListObjectsV2.
 */
final class S3Listing {
    private final S3Client s3;
    private final String bucket;

    S3Listing(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** The names of the direct children under {@code prefix}, sorted. */
    List<String> children(String prefix) {
        String under = directory(prefix);
        TreeSet<String> names = new TreeSet<>();
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(under)
                    .delimiter("/"))) {
                page.contents().stream().map(S3Object::key).forEach(k -> names.add(k.substring(under.length())));
                page.commonPrefixes().forEach(p -> names.add(p.prefix().substring(under.length(),
                        p.prefix().length() - 1)));
            }
        } catch (SdkException e) {
            throw S3Failures.of("ListObjectsV2", under, e);
        }
        return List.copyOf(names);
    }

    /** Deletes every object under {@code prefix}, a page of the listing (up to 1,000 keys) per DeleteObjects. */
    void deleteAll(String prefix) {
        String under = directory(prefix);
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(under))) {
                if (page.contents().isEmpty()) {
                    continue;
                }
                List<ObjectIdentifier> keys = page.contents().stream()
                        .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
                DeleteObjectsResponse deleted = s3.deleteObjects(r -> r.bucket(bucket)
                        .delete(d -> d.objects(keys).quiet(true)));
                if (!deleted.errors().isEmpty()) {
                    S3Error first = deleted.errors().getFirst();
                    throw new UncheckedIOException(new IOException("S3 DeleteObjects " + under + ": "
                            + deleted.errors().size() + " not deleted, " + first.key() + ": " + first.code()));
                }
            }
        } catch (SdkException e) {
            throw S3Failures.of("DeleteObjects", under, e);
        }
    }

    /** The key prefix of everything under {@code prefix}, as if it were a directory. */
    private static String directory(String prefix) {
        return StorageKeys.checkPrefix(prefix).isEmpty() ? "" : prefix + "/";
    }
}
