package dev.berth.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where audit lines go: appended to a file, or standard output for containers; a path berth cannot write, named. */
class AuditOutputTest {
    @TempDir
    Path dir;

    @Test
    void aFileIsAppendedToAcrossRestarts() throws IOException {
        Path file = dir.resolve("audit.jsonl");
        try (AuditOutput output = AuditOutput.open(file.toString())) {
            output.write("{\"n\":1}\n".getBytes(StandardCharsets.UTF_8));
        }
        try (AuditOutput output = AuditOutput.open(file.toString())) {
            output.write("{\"n\":2}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("{\"n\":1}\n{\"n\":2}\n", Files.readString(file));
    }

    @Test
    void aDashIsStandardOutput() throws IOException {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (AuditOutput output = AuditOutput.open("-")) {
            output.write("{\"n\":1}\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
        assertEquals("{\"n\":1}\n", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPathThatCannotBeWrittenIsNamedWithTheReason() {
        assertEquals("audit.path " + dir + ": cannot be written (Is a directory)",
                assertThrows(IllegalArgumentException.class, () -> AuditOutput.open(dir.toString())).getMessage());
    }
}
