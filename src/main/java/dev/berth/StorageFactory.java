package dev.berth;

import dev.berth.config.BerthConfig;
import dev.berth.observe.WriteProbe;
import dev.berth.registry.FileUploadData;
import dev.berth.registry.PartUploadData;
import dev.berth.registry.UploadData;
import dev.berth.storage.ConditionalWrites;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.HotTierStorage;
import dev.berth.storage.S3Settings;
import dev.berth.storage.S3Storage;
import dev.berth.storage.Storage;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/** The store {@code storage.*} names: the data directory, or an S3 bucket with local scratch files in the directory. */
final class StorageFactory {
    /**
     * An opened store and what the layers above need to know of its kind: where it is (for the start-up line), how
     * health probes it, where uploads keep their bytes, and, for a bucket that several instances share, its
     * compare-and-set.
     */
    record OpenedStore(Storage storage, String where, WriteProbe probe, UploadData uploads,
                       Optional<ConditionalWrites> conditionalWrites, Optional<HotTierStorage> hotTier) {
        /** Whether other instances may share this store. */
        boolean shared() {
            return conditionalWrites.isPresent();
        }
    }

    private StorageFactory() {
    }

    /** Opens the configured store; an S3 bucket is checked first (see {@link S3Storage#connect}). */
    static OpenedStore open(BerthConfig.Storage config, String instance) {
        return open(config, instance, System::getenv);
    }

    /** {@link #open(BerthConfig.Storage, String)} with {@code env} for the environment's credentials. */
    static OpenedStore open(BerthConfig.Storage config, String instance, Function<String, String> env) {
        if (config.s3().isEmpty()) {
            FileSystemStorage files = new FileSystemStorage(config.root());
            return new OpenedStore(files, "data in " + files.root(), files::probeWrite, new FileUploadData(files),
                    Optional.empty(), Optional.empty());
        }
        S3Settings settings = s3Settings(config.s3().get(), env);
        S3Storage bucket = S3Storage.connect(settings, config.root().resolve("scratch"));
        String where = "data in bucket " + settings.bucket() + " at " + settings.where() + ", scratch in "
                + config.root();
        long tier = config.s3().get().localCacheMaxBytes();
        Optional<HotTierStorage> hotTier = Optional.empty();
        if (tier > 0) {
            hotTier = Optional.of(new HotTierStorage(bucket, config.root().resolve("hot-tier"), tier,
                    HotTierStorage.CONFIRM_FOR, Clock.systemUTC()));
            where += ", a hot tier of " + tier + " bytes in " + config.root().resolve("hot-tier");
        }
        return new OpenedStore(hotTier.<Storage>map(t -> t).orElse(bucket), where,
                () -> bucket.probeWrite(instance), new PartUploadData(bucket, bucket),
                Optional.of(bucket.conditionalWrites()), hotTier);
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
