package dev.berth.support;

import dev.berth.storage.S3Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link S3Server} for a test class and a new empty bucket for every test, with berth's {@link S3Storage}
 * connected to it; register as a static {@code @RegisterExtension} field.
 */
public final class S3Bucket implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();
    private Path directory;
    private S3Server server;
    private String name;
    private S3Storage storage;

    /** Buckets named {@code prefix-1}, {@code prefix-2}, ... one a test. */
    public S3Bucket(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        directory = TempTree.create("s3-bucket");
        server = S3Server.start(directory.resolve("server"));
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        name = prefix + "-" + count.incrementAndGet();
        server.createBucket(name);
        storage = S3Storage.connect(server.settings(name), Files.createDirectories(scratch()));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        storage.close();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            server.close();
        } finally {
            TempTree.delete(directory);
        }
    }

    /** The server, for objects put past the S3 API. */
    public S3Server server() {
        return server;
    }

    /** This test's bucket. */
    public String name() {
        return name;
    }

    /** berth's storage over this test's bucket. */
    public S3Storage storage() {
        return storage;
    }

    /** The local scratch directory of this test's storage. */
    public Path scratch() {
        return directory.resolve("scratch").resolve(name);
    }

    /** Where the server keeps this test's bucket as files, to see what is left in it. */
    public Path files() {
        return directory.resolve("server").resolve(name);
    }
}
