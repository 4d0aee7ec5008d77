package dev.berth.http.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's single sign-on over HTTP, with only {@code auth.oidc} (no password form): where {@code /ui/sso/start}
 * sends the browser and the cookie it sets, and the pages a callback that fails ends on.
 */
class SignInThroughProviderTest {
    @StartStop
    public final MockWebServer provider = new MockWebServer();

    @TempDir
    Path dir;

    private RunningBerth berth;
    private TestClient client;

    private String issuer() {
        return provider.url("/realms/team").toString();
    }

    @BeforeEach
    void start() throws IOException {
        provider.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"issuer\":\"" + issuer() + "\",\"authorization_endpoint\":\"" + issuer() + "/auth\","
                        + "\"token_endpoint\":\"" + issuer() + "/token\",\"jwks_uri\":\"" + issuer() + "/certs\"}")
                .build());
        Path secret = Files.writeString(dir.resolve("oidc.secret"), "s");
        berth = RunningBerth.start(dir.resolve("data"), "auth: {oidc: {issuer: '" + issuer() + "', client-id: berth,"
                + " client-secret-file: '" + secret + "'}}\naudit: {path: '" + dir.resolve("audit.jsonl") + "'}\n");
        client = berth.client();
    }

    @AfterEach
    void stop() {
        berth.close();
    }

    @Test
    void startSendsTheBrowserToTheProviderWithItsSignInSealedInACookieForTheCallbackOnly() {
        HttpResponse<byte[]> start = client.get("/ui/sso/start");

        assertEquals(303, start.statusCode());
        URI location = URI.create(start.headers().firstValue("Location").orElseThrow());
        assertEquals(issuer() + "/auth", location.toString().substring(0, location.toString().indexOf('?')));
        Map<String, String> query = query(location);
        assertEquals("http://127.0.0.1:" + berth.port() + "/ui/sso/callback", query.get("redirect_uri"),
                "the callback at the address the browser used");
        assertEquals("S256", query.get("code_challenge_method"));
        String cookie = start.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.matches("berth_sso=[A-Za-z0-9_.-]+; Path=/ui/sso; Max-Age=600; HttpOnly; SameSite=Lax"),
                cookie);
        assertFalse(cookie.contains(query.get("state")) || cookie.contains(query.get("nonce")), "sealed");
        assertEquals("no-store", start.headers().firstValue("Cache-Control").orElse(""));
    }

    @Test
    void aFailedCallbackEndsOnAPageThatSaysWhyInTheProvidersWordsEscaped() throws InterruptedException {
        HttpResponse<byte[]> start = client.get("/ui/sso/start");
        String pending = start.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String state = query(URI.create(start.headers().firstValue("Location").orElseThrow())).get("state");

        HttpResponse<byte[]> denied = client.get("/ui/sso/callback?state=" + encode(state)
                + "&error=access_denied&error_description=" + encode("<script>alert(1)</script>"), "Cookie", pending);
        assertEquals(403, denied.statusCode());
        assertEquals("text/html; charset=utf-8", denied.headers().firstValue("Content-Type").orElse(""));
        String page = new String(denied.body(), StandardCharsets.UTF_8);
        assertTrue(page.contains("<p id=\"sso-error\" class=\"error\">the provider refused the sign-in: access_denied"
                + " (&lt;script&gt;alert(1)&lt;/script&gt;)</p>"), page);
        assertFalse(page.contains("<script>"));
        assertTrue(denied.headers().allValues("Set-Cookie").contains("berth_sso=; Path=/ui/sso; Max-Age=0; HttpOnly;"
                + " SameSite=Lax"), "the sign-in in progress is over: " + denied.headers().allValues("Set-Cookie"));
        assertTrue(denied.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"));

        HttpResponse<byte[]> noCookie = client.get("/ui/sso/callback?state=" + encode(state) + "&code=c");
        assertEquals(400, noCookie.statusCode());
        assertTrue(new String(noCookie.body(), StandardCharsets.UTF_8).contains("no sign-in of this browser is in"
                + " progress"));
        assertEquals(1, provider.getRequestCount(), "only the discovery document was asked for");
        // Both refused sign-ins are in the audit trail, by nobody the provider named.
        Poll.until(() -> audit().size() == 2, "two lines in the audit trail");
        for (String line : audit()) {
            assertTrue(line.contains("\"action\":\"login-failed\"") && line.contains("\"actor\":\"anonymous\"")
                    && line.contains("\"result\":\"SSO_REFUSED\""), line);
        }
    }

    private List<String> audit() {
        Path audit = dir.resolve("audit.jsonl");
        try {
            return Files.exists(audit) ? Files.readAllLines(audit) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aProviderThatFailsToExchangeTheCodeIsAnUnavailableSignInInTheAuditTrail() throws InterruptedException {
        HttpResponse<byte[]> start = client.get("/ui/sso/start");
        String pending = start.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String state = query(URI.create(start.headers().firstValue("Location").orElseThrow())).get("state");
        provider.enqueue(new MockResponse.Builder().code(502).build());

        HttpResponse<byte[]> callback = client.get("/ui/sso/callback?state=" + encode(state) + "&code=c", "Cookie",
                pending);
        assertEquals(503, callback.statusCode());
        Poll.until(() -> audit().size() == 1, "a line in the audit trail");
        String line = audit().get(0);
        assertTrue(line.contains("\"action\":\"login-failed\"") && line.contains("\"result\":\"UNAVAILABLE\"")
                && !line.contains("\"c\""), line);
    }

    @Test
    void withSingleSignOnAloneThePageOffersNoPasswordForm() {
        String me = new String(client.get("/api/v1/me").body(), StandardCharsets.UTF_8);
        assertTrue(me.contains("\"authentication\":true") && me.contains("\"password\":false")
                && me.contains("\"singleSignOn\":true"), me);
        HttpResponse<byte[]> login = client.send("POST", "/ui/login", "username=a&password=b"
                .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(404, login.statusCode());
        assertEquals(401, client.withBasic("carol", "anything").get("/v2/").statusCode(),
                "registry clients cannot come through the provider");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(URI location) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }
}
