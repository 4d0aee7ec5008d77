package dev.berth.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP/1.1 request over a plain socket, for what Java's HTTP client will not send: its own {@code Host}, or a
 * connection from another loopback address than 127.0.0.1 to a server that listens there.
 */
public final class RawHttp {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

    private RawHttp() {
    }

    /** Sends {@code head} (request line and header lines) and {@code body} to 127.0.0.1:{@code port}. */
    public static String send(int port, String head, String... body) throws IOException {
        return send(InetAddress.getLoopbackAddress(), port, head, body);
    }

    /**
     * Sends {@code head} (request line and header lines, each ending in CRLF) and {@code body} from {@code source} to
     * 127.0.0.1:{@code port}: the answer's head and its Content-Length of body.
     */
    public static String send(InetAddress source, int port, String head, String... body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((head + "\r\n" + String.join("", body)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            while (!answer.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    break;
                }
                answer.append((char) c);
            }
            Matcher length = CONTENT_LENGTH.matcher(answer);
            int n = length.find() ? Integer.parseInt(length.group(1)) : 0;
            return answer + new String(in.readNBytes(n), StandardCharsets.UTF_8);
        }
    }
}
