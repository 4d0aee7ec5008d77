import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection, written for measuring: a request is a few bytes written, a response is its
 * headers parsed and its body handed to a {@link Sink}. It costs far less CPU per request than a general client, which
 * matters on a 2-core machine where the client shares the cores with the server it measures: a heavy client would
 * pull every server's numbers towards its own cost and make their ratios look closer to 1 than they are.
 */
final class Http1 implements Closeable {
    /** Sent with every manifest request: what docker, containerd and skopeo accept. */
    static final String MANIFEST_ACCEPT = String.join(", ", Content.OCI_MANIFEST,
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");

    /** Receives a response body as it arrives. */
    interface Sink {
        Sink DISCARD = (b, off, len) -> { };

        void write(byte[] b, int off, int len);
    }

    /** Computes the sha256 of what it receives. */
    static final class DigestSink implements Sink {
        private final MessageDigest sha = Content.sha256();

        @Override
        public void write(byte[] b, int off, int len) {
            sha.update(b, off, len);
        }

        String digest() {
            return Content.hex(sha);
        }
    }

    /** Keeps what it receives, for small bodies such as manifests. */
    static final class BytesSink implements Sink {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /** The status, the headers (names in lower case) and how many body bytes were received. */
    record Response(int status, Map<String, String> headers, long bodyBytes) {
    }

    private final String host;
    private final int port;
    private final byte[] buffer = new byte[128 * 1024];
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Http1(URI base) {
        this.host = base.getHost();
        this.port = base.getPort();
    }

    /** Sends a request with no body and reads the whole response; reconnects when the server closed the connection. */
    Response send(String method, String path, String accept, Sink sink) throws IOException {
        return sendWith(method, path, accept == null ? null : "Accept: " + accept, sink);
    }

    /** As {@link #send}, with {@code header} (a whole line, {@code Range: bytes=-10}, or null) in the request. */
    Response sendWith(String method, String path, String header, Sink sink) throws IOException {
        boolean reused = socket != null;
        try {
            return exchange(method, path, header, sink);
        } catch (ClosedBeforeResponse e) {
            close();
            if (!reused) {
                throw e;
            }
            // The server closed an idle kept-alive connection before this request: once more, on a new one.
            return exchange(method, path, header, sink);
        }
    }

    private Response exchange(String method, String path, String header, Sink sink) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(120_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }
        String request = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + (header == null ? "" : header + "\r\n") + "User-Agent: berth-bench\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();

        String statusLine = readLine();
        if (statusLine == null) {
            throw new ClosedBeforeResponse("connection closed before a response to " + method + " " + path);
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new HashMap<>();
        for (String line; !(line = requireLine()).isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        long received = 0;
        boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
        if (noBody) {
            // nothing follows the headers
        } else if (headers.containsKey("content-length")) {
            received = copy(Long.parseLong(headers.get("content-length")), sink);
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (long chunk; (chunk = Long.parseLong(requireLine().split(";", 2)[0].trim(), 16)) > 0; ) {
                received += copy(chunk, sink);
                requireLine();
            }
            while (!requireLine().isEmpty()) {
                // trailers
            }
        } else {
            received = copy(Long.MAX_VALUE, sink);
            headers.put("connection", "close");
        }
        if ("close".equalsIgnoreCase(headers.get("connection"))) {
            close();
        }
        return new Response(status, headers, received);
    }

    /** Copies {@code length} body bytes (until the end of the stream for {@code Long.MAX_VALUE}) to {@code sink}. */
    private long copy(long length, Sink sink) throws IOException {
        long copied = 0;
        while (copied < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
            if (n < 0) {
                if (length == Long.MAX_VALUE) {
                    break;
                }
                throw new EOFException("response body ended after " + copied + " of " + length + " bytes");
            }
            sink.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    private String requireLine() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new EOFException("connection closed in a response's headers");
        }
        return line;
    }

    /** A header line without its CRLF; null at the end of the stream before any byte. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                if (line.isEmpty()) {
                    return null;
                }
                throw new EOFException("connection closed in a header line");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** The server closed a kept-alive connection before answering: the request may be sent again. */
    private static final class ClosedBeforeResponse extends EOFException {
        private static final long serialVersionUID = 1L;

        ClosedBeforeResponse(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing left to do with it
            }
            socket = null;
        }
    }
}
