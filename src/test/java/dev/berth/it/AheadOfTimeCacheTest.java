package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.berth.support.ChildBerth;
import dev.berth.support.ExternalCommand;
import dev.berth.support.TestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ahead-of-time cache with a real JDK 25 and the packaged jar: bin/aot-cache trains one, a berth started with it
 * under {@code -XX:AOTMode=on} (the JVM stops rather than run without it) serves, and a missing cache or one of
 * another jar never stops berth.
 */
class AheadOfTimeCacheTest {
    /** The options the launchers give the JVM, which the cache is made for. */
    private static final String[] SHIPPED = {"-Xmx128m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"};

    @TempDir
    static Path app;
    @TempDir
    Path root;

    /** A copy of target/berth.jar and target/libs, and bin/aot-cache's cache for them. */
    @BeforeAll
    static void trainACache() throws IOException {
        assumeTrue(Runtime.version().feature() >= 25, "the cache needs JDK 25");
        Files.copy(Path.of("target/berth.jar"), app.resolve("berth.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectory(app.resolve("libs"));
        try (Stream<Path> libs = Files.list(Path.of("target/libs"))) {
            for (Path lib : libs.toList()) {
                Files.copy(lib, app.resolve("libs").resolve(lib.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        ExternalCommand.Result training = ExternalCommand.run(List.of("bin/aot-cache", java,
                app.resolve("berth.jar").toString(), app.resolve("berth.aot").toString()), Duration.ofMinutes(3));
        assertEquals(0, training.exitCode(), training.stderr());
        assertTrue(Files.size(app.resolve("berth.aot")) > 0, training.stderr());
        assertEquals(ExternalCommand.run(List.of("sh", "-c", ". bin/aot-stamp; berth_aot_stamp \"$0\" \"$1\"", java,
                app.resolve("berth.jar").toString()), Duration.ofSeconds(10)).stdoutText(),
                Files.readString(app.resolve("berth.aot.jdk")), "the java and jar it is for, as launchers see them");
    }

    @Test
    void berthStartsWithTheCacheAndServes() throws IOException {
        try (ChildBerth berth = ChildBerth.startJar(app.resolve("berth.jar"), root, with("-XX:AOTMode=on",
                "-XX:AOTCache=" + app.resolve("berth.aot")))) {
            assertServes(berth.client());
            assertFalse(berth.output().contains("[aot"), "no warning from the JVM: " + berth.output());
        }
    }

    @Test
    void berthStartsWithoutAMissingCache() throws IOException {
        try (ChildBerth berth = ChildBerth.startJar(app.resolve("berth.jar"), root,
                with("-XX:AOTCache=" + app.resolve("missing.aot")))) {
            assertServes(berth.client());
        }
    }

    @Test
    void berthStartsWithACacheOfAnotherJar() throws IOException {
        Path jar = app.resolve("berth.jar");
        FileTime built = Files.getLastModifiedTime(jar);
        // The jar built again. JDK 25.0.3 does not notice (JDK-8377932) and later ones refuse the cache: berth starts
        // either way. Which of the two runs is for the launchers to decide (LaunchersTest), before the JVM starts.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        try (ChildBerth berth = ChildBerth.startJar(jar, root, with("-XX:AOTCache=" + app.resolve("berth.aot")))) {
            assertServes(berth.client());
        } finally {
            Files.setLastModifiedTime(jar, built);
        }
    }

    private static void assertServes(TestClient client) {
        assertEquals(200, client.get("/v2/").statusCode());
        byte[] blob = "a blob pushed and pulled".getBytes(StandardCharsets.UTF_8);
        String digest = client.pushBlob("team/app", blob);
        assertArrayEquals(blob, client.get("/v2/team/app/blobs/" + digest).body());
    }

    private static String[] with(String... options) {
        return Stream.concat(Stream.of(SHIPPED), Stream.of(options)).toArray(String[]::new);
    }
}
