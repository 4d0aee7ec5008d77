package dev.berth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.HotTierStorage;
import dev.berth.storage.S3Settings;
import dev.berth.storage.S3Storage;
import dev.berth.storage.Storage;
import dev.berth.support.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageFactoryTest {
    @TempDir
    Path dir;

    private BerthConfig.Storage storage(String yaml) {
        return ConfigLoader.fromYaml(yaml).storage();
    }

    @Test
    void theDataDirectoryUnlessAnS3BucketIsConfigured() {
        StorageFactory.OpenedStore opened = StorageFactory.open(storage("storage: {root: '" + dir + "'}"), "a",
                Map.<String, String>of()::get);
        assertInstanceOf(FileSystemStorage.class, opened.storage());
        assertFalse(opened.shared(), "a data directory is one instance's");
    }

    @Test
    void anS3BucketWithScratchFilesUnderTheDataDirectory() throws Exception {
        try (S3Server server = S3Server.start(dir.resolve("s3"))) {
            server.createBucket("berth");
            BerthConfig.Storage config = storage("storage: {root: '" + dir.resolve("data") + "', s3: {endpoint: '"
                    + server.endpoint() + "', bucket: berth}}");
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY,
                    "AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
            StorageFactory.OpenedStore opened = StorageFactory.open(config, "a", env::get);
            assertTrue(opened.shared());
            opened.probe().probe();
            try (S3Storage storage = (S3Storage) opened.storage()) {
                storage.write("k", new byte[] {7});
                assertArrayEquals(new byte[] {7}, storage.read("k", 1).orElseThrow());
                assertEquals(dir.resolve("data/scratch"), storage.newScratchFile().getParent());
            }
        }
    }

    @Test
    void aHotTierUnderTheDataDirectoryWhenOneIsSized() throws Exception {
        try (S3Server server = S3Server.start(dir.resolve("s3"))) {
            server.createBucket("berth");
            BerthConfig.Storage config = storage("storage: " + server.storageYaml(dir.resolve("data"), "berth",
                    ", local-cache: {max-bytes: 1MiB}"));
            StorageFactory.OpenedStore opened = StorageFactory.open(config, "a", Map.<String, String>of()::get);
            HotTierStorage tier = assertInstanceOf(HotTierStorage.class, opened.storage());
            assertTrue(opened.shared());
            assertTrue(opened.where().endsWith(", a hot tier of 1048576 bytes in " + dir.resolve("data/hot-tier")),
                    opened.where());
            assertTrue(Files.isDirectory(dir.resolve("data/hot-tier")));
            assertEquals(0, tier.bytes());
        }
    }

    @Test
    void configuredKeysWinOverTheEnvironmentAndNoKeysAtAllAreNamed() {
        BerthConfig.S3 configured = ConfigLoader.fromYaml("storage: {s3: {bucket: bkt, access-key: AKIACONF,"
                + " secret-key: conf}}").storage().s3().orElseThrow();
        S3Settings settings = StorageFactory.s3Settings(configured,
                Map.of("AWS_ACCESS_KEY_ID", "AKIAENV", "AWS_SECRET_ACCESS_KEY", "env")::get);
        assertEquals("AKIACONF", settings.accessKey());
        assertEquals("conf", settings.secretKey());
        BerthConfig.S3 none = ConfigLoader.fromYaml("storage: {s3: {bucket: bkt}}").storage().s3().orElseThrow();
        assertEquals("storage.s3: no credentials: set storage.s3.access-key and storage.s3.secret-key, or"
                        + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in berth's environment",
                assertThrows(IllegalArgumentException.class,
                        () -> StorageFactory.s3Settings(none, Map.<String, String>of()::get)).getMessage());
    }
}
