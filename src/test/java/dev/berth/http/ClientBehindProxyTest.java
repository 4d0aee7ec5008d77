package dev.berth.http;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.LogCapture;
import dev.berth.support.PageSignIn;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A berth whose {@code auth.trusted-proxies} lists 127.0.0.1, where the tests' client connects from: what it says in
 * {@code X-Forwarded-For} and {@code X-Forwarded-Proto} is believed, as a proxy's would be; without that key the same
 * headers change nothing.
 */
class ClientBehindProxyTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final Closing open = new Closing();


    private RunningBerth start(String yaml) {
        RunningBerth berth = RunningBerth.start(dir.resolve("data-" + open.size()), yaml);
        open.add(berth);
        return berth;
    }

    private RunningBerth startWithLogins(String trusted) throws IOException {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        return start("auth: {htpasswd: '" + htpasswd + "'" + trusted + "}\n");
    }

    @Test
    void behindATrustedProxyThatEndsTlsTheSessionCookieIsSecureAndTheRealmHttps() throws Exception {
        TestClient client = startWithLogins(", trusted-proxies: [127.0.0.1]").client();
        String https = PageSignIn.cookie(client, "alice", Htpasswd.ALICE_PASSWORD,
                "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https");
        assertTrue(https.endsWith("; Secure"), https);
        String plain = PageSignIn.cookie(client, "alice", Htpasswd.ALICE_PASSWORD,
                "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "http");
        assertFalse(plain.contains("Secure"), plain);
        assertEquals("Bearer realm=\"https://127.0.0.1:" + client.base().getPort() + "/auth/token\",service=\"berth\"",
                header(client.get("/v2/", "X-Forwarded-Proto", "https"), "WWW-Authenticate"));
    }

    @Test
    void anUntrustedPeerCannotMakeItselfHttps() throws Exception {
        TestClient client = startWithLogins("").client();
        String cookie = PageSignIn.cookie(client, "alice", Htpasswd.ALICE_PASSWORD, "X-Forwarded-Proto", "https");
        assertFalse(cookie.contains("Secure"), cookie);
        assertEquals("Bearer realm=\"http://127.0.0.1:" + client.base().getPort() + "/auth/token\",service=\"berth\"",
                header(client.get("/v2/", "X-Forwarded-Proto", "https"), "WWW-Authenticate"));
    }

    @Test
    void aRequestATrustedProxyForwardedIsNeverLocalWhileADirectOneIs() {
        TestClient client = start("auth: {trusted-proxies: [127.0.0.1]}\n").client();
        assertEquals(200, client.get("/api/v1/warm-jobs").statusCode(), "a direct call from this host");
        for (String forwardedFor : List.of("192.0.2.7", "127.0.0.1", "192.0.2.7, 127.0.0.1")) {
            assertTrue(assertApiError(client.get("/api/v1/warm-jobs", "X-Forwarded-For", forwardedFor), 403,
                    "FORBIDDEN").contains("only callers on berth's own host"), forwardedFor);
        }
    }

    @Test
    void theAccessLogNamesTheClientATrustedProxySpeaksForAndNoOtherClaim() throws InterruptedException {
        RunningBerth trusting = start("auth: {trusted-proxies: ['127.0.0.0/8', '::1']}\n");
        RunningBerth untrusting = start("");
        try (LogCapture log = LogCapture.of("dev.berth.access")) {
            trusting.client().get("/v2/?trusting", "X-Forwarded-For", "198.51.100.1, 203.0.113.9, 127.0.0.5");
            untrusting.client().get("/v2/?untrusting", "X-Forwarded-For", "203.0.113.9");
            Poll.until(() -> log.messages(Level.INFO).size() >= 2, "two access log lines");
            assertTrue(log.messages(Level.INFO).stream().anyMatch(
                    m -> m.startsWith("203.0.113.9 - \"GET /v2/?trusting ")), log.text());
            assertTrue(log.messages(Level.INFO).stream().anyMatch(
                    m -> m.startsWith("127.0.0.1 - \"GET /v2/?untrusting ")), log.text());
            assertFalse(log.text().contains("198.51.100.1"), log.text());
        }
    }
}
