package dev.berth.storage;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an {@link S3Storage} keeps its objects: the service's endpoint (absent: AWS S3 in {@code region}), the bucket,
 * whether the bucket goes in the path rather than the host name, and the credentials.
 */
public record S3Settings(Optional<URI> endpoint, String region, String bucket, boolean pathStyle, String accessKey,
                         String secretKey) {
    public S3Settings {
        Objects.requireNonNull(endpoint);
        Objects.requireNonNull(region);
        Objects.requireNonNull(bucket);
        Objects.requireNonNull(accessKey);
        Objects.requireNonNull(secretKey);
    }

    /** What messages call the service: its endpoint, or AWS S3's region. */
    public String where() {
        return endpoint.map(URI::toString).orElse("AWS S3 in " + region);
    }

    /** The access key's first four characters, enough to tell which key was used without giving it away. */
    String accessKeyHint() {
        return accessKey.substring(0, Math.min(4, accessKey.length())) + "...";
    }

    @Override
    public String toString() {
        // Never print the secret key.
        return "S3Settings[" + where() + " bucket " + bucket + " access key " + accessKeyHint() + "]";
    }
}
