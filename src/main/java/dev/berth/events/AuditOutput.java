package dev.berth.events;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where audit lines go: a file appended to, or standard output for containers ({@code -}). */
public interface AuditOutput extends AutoCloseable {
    /** Writes one whole line (its newline included), passed on at once. */
    void write(byte[] line) throws IOException;

    @Override
    void close() throws IOException;

    /**
     * The output {@code audit.path} names, opened for appending ({@code -}: standard output).
     *
     * @throws IllegalArgumentException naming the path, when it cannot be opened for writing
     */
    static AuditOutput open(String path) {
        if (path.equals("-")) {
            PrintStream out = System.out;
            return of(out, false);
        }
        try {
            return of(Files.newOutputStream(Path.of(path), StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE), true);
        } catch (FileSystemException e) {
            throw notWritable(path, e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "its directory does not exist"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
        } catch (IOException | InvalidPathException | SecurityException e) {
            throw notWritable(path, e.getMessage());
        }
    }

    private static IllegalArgumentException notWritable(String path, String why) {
        return new IllegalArgumentException("audit.path " + path + ": cannot be written (" + why + ")");
    }

    private static AuditOutput of(OutputStream out, boolean closes) {
        return new AuditOutput() {
            @Override
            public void write(byte[] line) throws IOException {
                out.write(line);
                out.flush();
            }

            @Override
            public void close() throws IOException {
                if (closes) {
                    out.close();
                }
            }
        };
    }
}
