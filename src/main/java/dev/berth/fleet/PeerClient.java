package dev.berth.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks the other instances of a fleet: signed GETs on their peer endpoint, and the liveness probe. The JDK's
 * connection (kept alive and reused by the JDK), because it has a read timeout for a stalled stream.
 */
final class PeerClient {
    private final PeerSignature signature;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    /** Requests signed with {@code signature}, giving up on a peer that does not connect or send within the times. */
    public PeerClient(PeerSignature signature, Duration connectTimeout, Duration readTimeout) {
        this.signature = signature;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** An answer of a peer: its status, the body's length (-1: not said), a header, and the body to read and close. */
    public record Answer(int status, long length, HttpURLConnection connection, InputStream body)
            implements AutoCloseable {
        /** A header of the answer. */
        public Optional<String> header(String name) {
            return Optional.ofNullable(connection.getHeaderField(name));
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** A signed GET of {@code path} (raw, from {@code /peer/}) on {@code peer}; an IOException when it cannot be asked. */
    public Answer get(URI peer, String path) throws IOException {
        HttpURLConnection connection = open(peer, path, connectTimeout, readTimeout);
        signature.sign("GET", path).forEach(connection::setRequestProperty);
        int status = connection.getResponseCode();
        InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        return new Answer(status, connection.getContentLengthLong(), connection,
                body == null ? InputStream.nullInputStream() : body);
    }

    /**
     * Whether {@code peer} answers a probe within {@code timeout}: a signed GET that tells it this instance,
     * {@code self}, is up. Any answer short of a server error counts (an instance that knows no probe says 404).
     */
    public boolean alive(URI peer, Duration timeout, URI self) {
        try {
            String path = PeerProtocol.probePath(self);
            HttpURLConnection connection = open(peer, path, timeout, timeout);
            signature.sign("GET", path).forEach(connection::setRequestProperty);
            int status = connection.getResponseCode();
            try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            return status < 500;
        } catch (IOException e) {
            return false;
        }
    }

    private static HttpURLConnection open(URI peer, String path, Duration connect, Duration read) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) peer.resolve(path).toURL().openConnection();
        connection.setConnectTimeout((int) connect.toMillis());
        connection.setReadTimeout((int) read.toMillis());
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        return connection;
    }
}
