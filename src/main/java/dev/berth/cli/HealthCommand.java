package dev.berth.cli;

import dev.berth.config.BerthConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@code berth health}: asks the berth that the configuration describes, on this host, for {@code /observe/health};
 * exit status 0 when it answers 200 (UP), 1 otherwise. The container image's {@code HEALTHCHECK} runs it.
 */
public final class HealthCommand {
    /** The subcommand's name on the command line. */
    public static final String NAME = "health";

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int UNHEALTHY = 1;
    private static final int USAGE = 2;

    private final URI uri;
    private final PrintStream out;

    /** A probe of the server that {@code server} configures; prints the answer (or the failure) to {@code out}. */
    public HealthCommand(BerthConfig.Server server, PrintStream out) {
        this.uri = healthUri(server);
        this.out = out;
    }

    /**
     * {@code http(s)://HOST:PORT/observe/health}, where HOST is the listen address, or loopback when berth listens
     * on every address.
     */
    static URI healthUri(BerthConfig.Server server) {
        String host = switch (server.host()) {
            case "", "0.0.0.0" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> server.host().contains(":") && !server.host().startsWith("[")
                    ? "[" + server.host() + "]" : server.host();
        };
        String scheme = server.tls().isPresent() ? "https" : "http";
        return URI.create(scheme + "://" + host + ":" + server.port() + "/observe/health");
    }

    /** Runs with the arguments after {@code health} (none); returns the exit status: 0, 1 (not UP) or 2 (usage). */
    public int run(List<String> args) {
        if (!args.isEmpty()) {
            out.println("usage: berth [--config FILE] health");
            return USAGE;
        }
        try {
            HttpURLConnection connection = open();
            try {
                int status = connection.getResponseCode();
                out.println("berth: " + uri + ": " + status + " " + body(connection, status));
                return status == 200 ? 0 : UNHEALTHY;
            } finally {
                connection.disconnect();
            }
        } catch (IOException | GeneralSecurityException e) {
            out.println("berth: " + uri + ": " + e);
            return UNHEALTHY;
        }
    }

    private HttpURLConnection open() throws IOException, GeneralSecurityException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout((int) TIMEOUT.toMillis());
        connection.setReadTimeout((int) TIMEOUT.toMillis());
        if (connection instanceof HttpsURLConnection https) {
            // The probe asks this host's own berth, whose certificate names the host as clients know it (not the
            // loopback address) and may come from a private CA. It sends nothing and only reads a status, so it
            // takes the certificate berth presents rather than fail a healthy server.
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AnyCertificate()}, null);
            https.setSSLSocketFactory(context.getSocketFactory());
            https.setHostnameVerifier((name, session) -> true);
        }
        return connection;
    }

    private static String body(HttpURLConnection connection, int status) throws IOException {
        try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Accepts whatever certificate the local server presents (see {@link #open()}). */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("the health probe is a client only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Trusted: see open().
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
