package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class ToolsTest {
    @Test
    void findsAnExecutableOnThePath(@TempDir Path dir) throws Exception {
        Path tool = Files.createFile(dir.resolve("some-tool"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(tool, Tools.require("some-tool", "some-package", Map.of("PATH", "/nonexistent:" + dir)));
    }

    @Test
    void missingToolSkipsTheTestNamingThePackage(@TempDir Path dir) {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> Tools.require("some-tool", "some-package", Map.of("PATH", dir.toString())));
        assertTrue(e.getMessage().contains("apt-get install some-package"), e.getMessage());
    }

    @Test
    void missingToolFailsTheTestOnCi(@TempDir Path dir) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Tools.require("some-tool", "some-package", Map.of("PATH", dir.toString(), "CI", "true")));
        assertTrue(e.getMessage().contains("apt-get install some-package"), e.getMessage());
    }

    @Test
    void rootPasses() {
        Tools.requireRoot("something", 0, Map.of("CI", "true"));
    }

    @Test
    void notRootSkipsTheTestSayingWhatNeedsRoot() {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> Tools.requireRoot("a network namespace", 1000, Map.of()));
        assertTrue(e.getMessage().contains("a network namespace needs root"), e.getMessage());
    }

    @Test
    void notRootFailsTheTestOnCi() {
        assertThrows(AssertionFailedError.class,
                () -> Tools.requireRoot("a network namespace", 1000, Map.of("CI", "true")));
    }

    @Test
    void existingFilePasses(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("image.tar"), "x");
        assertEquals(file, Tools.requireFile(file, "./build image", Map.of("CI", "true")));
    }

    @Test
    void missingFileSkipsTheTestSayingHowToMakeIt(@TempDir Path dir) {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> Tools.requireFile(dir.resolve("image.tar"), "./build image", Map.of()));
        assertTrue(e.getMessage().endsWith("image.tar is missing; make it with: ./build image"), e.getMessage());
    }

    @Test
    void missingFileFailsTheTestOnCi(@TempDir Path dir) {
        assertThrows(AssertionFailedError.class,
                () -> Tools.requireFile(dir.resolve("image.tar"), "./build image", Map.of("CI", "true")));
    }
}
