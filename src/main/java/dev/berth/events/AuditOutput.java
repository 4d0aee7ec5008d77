package dev.berth.events;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

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
            return of(new FileOutputStream(path, true), true);
        } catch (FileNotFoundException | SecurityException e) {
            throw new IllegalArgumentException("audit.path " + path + " is not writable: " + e.getMessage(), e);
        }
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
