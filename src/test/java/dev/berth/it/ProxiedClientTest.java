package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Htpasswd;
import dev.berth.support.LogCapture;
import dev.berth.support.Nginx;
import dev.berth.support.PageSignIn;
import dev.berth.support.Poll;
import dev.berth.support.RawHttp;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestCertificates;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berth behind Debian's nginx with docs/fleet.md's site, on berth's own host, with {@code auth.trusted-proxies:
 * [127.0.0.1]}: the review's remote client (here 127.0.0.2, which is not nginx) that sends {@code Host: localhost}
 * through nginx is not local and deletes nothing, while a direct call from this host still is; the access log names
 * that client, not nginx nor what the client wrote in {@code X-Forwarded-For}; and with nginx ending TLS the session
 * cookie is {@code Secure} and the token realm https.
 */
class ProxiedClientTest {
    /** A client address on this host that is not nginx's, as a remote client's would be. */
    private static final String CLIENT = "127.0.0.2";
    private static final String TAG = "/api/v1/repositories/team/app/tags/1";

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @Test
    void aClientThroughNginxIsNotLocalWhateverItsHostAndIsLoggedByItsOwnAddress() throws Exception {
        RunningBerth berth = keep(RunningBerth.start(dir.resolve("data"), "auth: {trusted-proxies: [127.0.0.1]}\n"));
        berth.client().pushImage("team/app", "1", TestData.utf8("{\"app\":1}"), TestData.bytes(5000, 1));
        Nginx nginx = keep(Nginx.start(dir.resolve("nginx"), List.of(berth.port())));
        LogCapture log = keep(LogCapture.of("dev.berth.access"));

        String viaNginx = RawHttp.send(InetAddress.getByName(CLIENT), nginx.port(), "DELETE " + TAG
                + " HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 127.0.0.1\r\n");
        assertTrue(viaNginx.startsWith("HTTP/1.1 403"), viaNginx + "\nnginx: " + nginx.log());
        assertTrue(viaNginx.contains("only callers on berth's own host"), viaNginx);
        assertEquals(200, berth.client().head("/v2/team/app/manifests/1").statusCode(), "the tag is still there");

        Poll.until(() -> log.messages(Level.INFO).stream().anyMatch(m -> m.contains("\"DELETE " + TAG + " ")),
                "the DELETE's access log line");
        String line = log.messages(Level.INFO).stream().filter(m -> m.contains("\"DELETE " + TAG + " ")).findFirst()
                .orElseThrow();
        assertTrue(line.startsWith(CLIENT + " - \"DELETE " + TAG + " HTTP/1.1\" 403 "), line);

        // The same call straight to berth from this host is local, as before.
        String direct = RawHttp.send(berth.port(), "DELETE " + TAG + " HTTP/1.1\r\nHost: localhost:" + berth.port()
                + "\r\n");
        assertTrue(direct.startsWith("HTTP/1.1 204"), direct);
        assertEquals(404, berth.client().head("/v2/team/app/manifests/1").statusCode(), "deleted");
        assertFalse(log.text().contains("127.0.0.1 - \"DELETE " + TAG + " HTTP/1.1\" 403"), log.text());
    }

    @Test
    void nginxEndingTlsMakesTheSessionCookieSecureAndTheRealmHttps() throws Exception {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        RunningBerth berth = keep(RunningBerth.start(dir.resolve("data"), "auth: {htpasswd: '" + htpasswd
                + "', trusted-proxies: [127.0.0.1]}\n"));
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"), TestCertificates.KeyType.EC);
        Nginx nginx = keep(Nginx.startTls(dir.resolve("nginx"), List.of(berth.port()), certs));
        TestClient viaNginx = new TestClient(URI.create("https://127.0.0.1:" + nginx.port()), HttpClient.newBuilder()
                .sslContext(certs.clientContext()).localAddress(InetAddress.getByName(CLIENT))
                .connectTimeout(Duration.ofSeconds(5)).build());

        String cookie = PageSignIn.cookie(viaNginx, "alice", Htpasswd.ALICE_PASSWORD, "X-Forwarded-Proto", "http");
        assertTrue(cookie.startsWith("berth_session=") && cookie.endsWith("; Secure"), cookie);
        assertEquals("Bearer realm=\"https://127.0.0.1:" + nginx.port() + "/auth/token\",service=\"berth\"",
                viaNginx.get("/v2/").headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(200, viaNginx.get("/api/v1/me", "Cookie", cookie.substring(0, cookie.indexOf(';')))
                .statusCode());

        // Straight to berth over plain HTTP no cookie is Secure, whatever a client that is no proxy claims.
        assertFalse(PageSignIn.cookie(berth.client(), "alice", Htpasswd.ALICE_PASSWORD).contains("Secure"));
        TestClient untrusted = new TestClient(URI.create("http://127.0.0.1:" + berth.port()), HttpClient.newBuilder()
                .localAddress(InetAddress.getByName(CLIENT)).build());
        assertFalse(PageSignIn.cookie(untrusted, "alice", Htpasswd.ALICE_PASSWORD, "X-Forwarded-Proto", "https")
                .contains("Secure"));
    }
}
