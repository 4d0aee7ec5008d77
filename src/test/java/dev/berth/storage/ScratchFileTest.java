package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A spooled file read while it grows, and after it was deleted (as an object store's import deletes it). */
class ScratchFileTest {
    @TempDir
    Path root;

    @Test
    void readersFollowTheWriterAndReadOnAfterTheFileIsDeletedUntilTheLastLetsGo() throws IOException {
        byte[] content = StorageContract.bytes(5000);
        ScratchFile scratch = ScratchFile.open(new FileSystemStorage(root).newScratchFile());
        scratch.write(content, 0, 3000);
        assertTrue(scratch.retain(), "a reader joins");

        ByteBuffer first = ByteBuffer.allocate(4000);
        assertEquals(3000, scratch.read(0, first), "what is written so far");
        assertEquals(-1, scratch.read(3000, ByteBuffer.allocate(10)), "nothing past it");
        scratch.write(content, 3000, 2000);
        scratch.delete();
        scratch.release();
        assertFalse(Files.exists(scratch.path()));

        ByteBuffer rest = ByteBuffer.allocate(2000);
        assertEquals(2000, scratch.read(3000, rest), "the reader still holds the deleted file");
        assertArrayEquals(Arrays.copyOfRange(content, 0, 3000), Arrays.copyOf(first.array(), 3000));
        assertArrayEquals(Arrays.copyOfRange(content, 3000, 5000), rest.array());
        scratch.release();
        assertFalse(scratch.retain(), "closed once the writer and the reader let go");
    }

    @Test
    void piecesAndATailReadBackAsWrittenWhileTheFileGrows() throws IOException {
        int block = 256 * 1024;
        byte[] content = StorageContract.bytes(3 * block + 1234);
        ScratchFile scratch = ScratchFile.open(new FileSystemStorage(root).newScratchFile());
        ByteBuffer read = ByteBuffer.allocate(content.length);
        for (int offset = 0; offset < content.length; offset += block) {
            int length = Math.min(block, content.length - offset);
            scratch.write(content, offset, length);
            // Each piece readable at once, as a client a little behind a download reads it.
            while (read.position() < offset + length) {
                assertTrue(scratch.read(read.position(), read) > 0, "bytes written up to " + (offset + length));
            }
        }
        assertArrayEquals(content, read.array());
        assertArrayEquals(content, Files.readAllBytes(scratch.path()));
        assertEquals(content.length, Files.size(scratch.path()), "no padding past the tail");
        scratch.delete();
        scratch.release();
    }
}
