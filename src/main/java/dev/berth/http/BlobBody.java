package dev.berth.http;

import dev.berth.registry.BlobContent;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;

/**
 * Streams a blob's bytes as a response body. Once bytes are under way no error status can follow them: a failure then
 * (a client gone, a fill that broke off, a store that cannot be read) closes the connection, so that the client sees
 * an incomplete body, and is logged as one line saying what happened, with the stack trace at DEBUG only. Before the
 * first byte, the failure goes to the error handlers, which answer it properly.
 */
public final class BlobBody {
    private static final Logger LOG = System.getLogger(BlobBody.class.getName());

    private BlobBody() {
    }

    /** Writes a body to the client's stream. */
    @FunctionalInterface
    interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Sends {@code length} bytes of {@code blob} from {@code offset}; the status and headers are set already. */
    public static void send(ServerRequest req, ServerResponse res, BlobContent blob, long offset, long length)
            throws IOException {
        send(req, res, length, out -> blob.copyTo(offset, length, out));
    }

    /** Sends the {@code length} bytes that {@code body} writes; the status and headers are set already. */
    static void send(ServerRequest req, ServerResponse res, long length, Writer body) throws IOException {
        ToClient client = new ToClient(BodyDeadlines.paced(req, res.outputStream()));
        try {
            body.writeTo(client);
            // Closed only when complete: after a failure the connection goes, whatever the stream would still send.
            client.close();
        } catch (IOException | RuntimeException e) {
            if (client.written == 0 && !client.failed) {
                throw e;
            }
            String request = req.prologue().method().text() + " " + req.path().absolute().rawPath();
            String progress = " after " + client.written + " of " + length + " bytes";
            if (client.failed) {
                // Not a fault of berth's: a client that cancels a pull (Ctrl-C, a timeout of its own) does this.
                LOG.log(Logger.Level.INFO, request + ": the client went away" + progress);
            } else {
                LOG.log(Logger.Level.WARNING, request + ": the response broke off" + progress + ": " + describe(e)
                        + "; the connection was closed, so the client sees an incomplete download");
            }
            LOG.log(Logger.Level.DEBUG, request + ": the response broke off", e);
            throw new CloseConnectionException("the response broke off" + progress, e);
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The response's stream, which counts what the client was handed and notes whether writing to it failed (Helidon
     * throws its ServerConnectionException then).
     */
    private static final class ToClient extends FilterOutputStream {
        private long written;
        private boolean failed;

        ToClient(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
            written += len;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }
    }
}
