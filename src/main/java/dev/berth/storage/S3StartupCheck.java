package dev.berth.storage;

import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What berth checks of its bucket before it serves: that the endpoint answers, the credentials are accepted and the
 * bucket exists. A failure says which of these it is and what fixes it: an {@link IllegalArgumentException} for what
 * the configuration or the operator must change, a {@link StorageUnavailableException} for a service that does not
 * answer (yet).
 */
final class S3StartupCheck {
    private final S3Settings settings;
    private final S3Client s3;

    S3StartupCheck(S3Settings settings, S3Client s3) {
        this.settings = settings;
        this.s3 = s3;
    }

    /** Lists one key of the bucket, which needs all three; throws naming the problem. */
    void run() {
        String bucket = settings.bucket();
        try {
            s3.listObjectsV2(r -> r.bucket(bucket).maxKeys(1));
        } catch (S3Exception e) {
            throw refused(e);
        } catch (SdkException e) {
            if (S3Failures.isUnreachable(e)) {
                throw new StorageUnavailableException("storage.s3: the endpoint " + settings.where()
                        + " cannot be reached: " + S3Failures.rootMessage(e), new IOException(e.getMessage(), e));
            }
            throw new IllegalArgumentException("storage.s3: " + settings.where() + ": " + e.getMessage(), e);
        }
    }

    private RuntimeException refused(S3Exception e) {
        String bucket = settings.bucket();
        String code = S3Failures.code(e);
        if (code.equals("NoSuchBucket")) {
            return new IllegalArgumentException("storage.s3: bucket \"" + bucket + "\" does not exist at "
                    + settings.where() + " (create it, e.g. aws s3 mb s3://" + bucket + ")", e);
        }
        if (e.statusCode() == 403) {
            return new IllegalArgumentException("storage.s3: access denied (" + code + ") to bucket \"" + bucket
                    + "\" with access key " + settings.accessKeyHint()
                    + " check storage.s3.access-key and storage.s3.secret-key", e);
        }
        if (code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed")) {
            return new IllegalArgumentException("storage.s3: bucket \"" + bucket + "\" is not in region "
                    + settings.region() + " (" + code + "): check storage.s3.region", e);
        }
        return S3Failures.of("ListObjectsV2", "of bucket " + bucket + " at " + settings.where(), e);
    }
}
