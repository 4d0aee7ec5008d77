package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk queue notifications wait in: order, a restart, the bound that drops the oldest. */
class FileQueueTest {
    @TempDir
    Path dir;

    @Test
    void recordsOutliveTheProcessInOrderAndLeaveOnlyWhenRemoved() throws InterruptedException {
        FileQueue queue = new FileQueue(dir, 10);
        queue.append(utf8("one"));
        queue.append(utf8("two"));
        queue.append(utf8("three"));
        List<FileQueue.Entry> first = queue.head(2, Duration.ZERO);
        assertEquals(List.of("one", "two"), texts(first));
        queue.removeThrough(first.getLast().sequence());

        FileQueue reopened = new FileQueue(dir, 10);
        assertEquals(1, reopened.size());
        reopened.append(utf8("four"));
        assertEquals(List.of("three", "four"), texts(reopened.head(10, Duration.ZERO)));
    }

    @Test
    void pastTheLimitTheOldestGoAndAreCounted() throws InterruptedException {
        FileQueue queue = new FileQueue(dir, 2);
        assertEquals(0, queue.append(utf8("a")));
        assertEquals(0, queue.append(utf8("b")));
        assertEquals(1, queue.append(utf8("c")));
        assertEquals(List.of("b", "c"), texts(queue.head(10, Duration.ZERO)));
        assertEquals(2, new FileQueue(dir, 2).size(), "the dropped record is gone from disk too");
    }

    @Test
    void aRecordWrittenHalfwayBeforeACrashIsNotRead() throws IOException, InterruptedException {
        FileQueue queue = new FileQueue(dir, 10);
        queue.append(utf8("whole"));
        Files.write(dir.resolve("0000000000000000002.partial"), utf8("{\"half"));

        FileQueue reopened = new FileQueue(dir, 10);

        assertEquals(List.of("whole"), texts(reopened.head(10, Duration.ZERO)));
        assertFalse(Files.exists(dir.resolve("0000000000000000002.partial")));
    }

    @Test
    void anEmptyQueueAnswersEmptyAfterTheWait() throws InterruptedException {
        assertEquals(List.of(), new FileQueue(dir, 1).head(10, Duration.ofMillis(1)));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<FileQueue.Entry> entries) {
        return entries.stream().map(e -> new String(e.bytes(), StandardCharsets.UTF_8)).toList();
    }
}
