package dev.berth;

import dev.berth.config.BerthConfig;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.S3Settings;
import dev.berth.storage.S3Storage;
import dev.berth.storage.Storage;
import java.util.function.Function;

/** The store {@code storage.*} names: the data directory, or an S3 bucket with local scratch files in the directory. */
final class StorageFactory {
    private StorageFactory() {
    }

    /** Opens the configured store; an S3 bucket is checked first (see {@link S3Storage#connect}). */
    static Storage open(BerthConfig.Storage config) {
        return open(config, System::getenv);
    }

    /** {@link #open(BerthConfig.Storage)} with {@code env} for the environment's credentials. */
    static Storage open(BerthConfig.Storage config, Function<String, String> env) {
        if (config.s3().isEmpty()) {
            return new FileSystemStorage(config.root());
        }
        return S3Storage.connect(s3Settings(config.s3().get(), env), config.root().resolve("scratch"));
    }

    /** The bucket's settings, with the credentials from the environment unless the configuration has them. */
    static S3Settings s3Settings(BerthConfig.S3 s3, Function<String, String> env) {
        String accessKey = s3.accessKey().orElseGet(() -> env.apply("AWS_ACCESS_KEY_ID"));
        String secretKey = s3.secretKey().orElseGet(() -> env.apply("AWS_SECRET_ACCESS_KEY"));
        if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("storage.s3: no credentials: set storage.s3.access-key and"
                    + " storage.s3.secret-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in berth's environment");
        }
        return new S3Settings(s3.endpoint(), s3.region(), s3.bucket(), s3.pathStyle(), accessKey, secretKey);
    }
}
