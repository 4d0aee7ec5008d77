package dev.berth.http.ui;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.AdminContent;
import dev.berth.support.Htpasswd;
import dev.berth.support.TestClient;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page's files, the redirect of {@code /}, and signing in: the session cookie and what it may do. */
class WebPageTest {
    private static final String PIN = "/api/v1/repositories/docker.io/library/busybox/pins/1.36";

    @TempDir
    Path dir;

    private AdminContent content;
    private TestClient client;

    @BeforeEach
    void start() {
        content = AdminContent.start(dir, "");
        client = content.client();
    }

    @AfterEach
    void stop() {
        content.close();
    }

    private HttpResponse<byte[]> login(String user, String password, String... headers) {
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/x-www-form-urlencoded";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return client.send("POST", "/ui/login", form.getBytes(StandardCharsets.UTF_8), all);
    }

    /** The cookie's {@code name=value}, from a sign-in's Set-Cookie. */
    private static String session(HttpResponse<byte[]> signedIn) {
        String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void browsersOpeningTheRootAreSentToThePageAndOthersAreNot() {
        HttpResponse<byte[]> browser = client.get("/", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        assertEquals(303, browser.statusCode());
        assertEquals("/ui/", browser.headers().firstValue("Location").orElse(""));
        assertEquals(404, client.get("/").statusCode());
        assertEquals(404, client.get("/", "Accept", "application/json").statusCode());
    }

    @Test
    void thePageIsServedFromTheJarWithItsSecurityHeaders() {
        HttpResponse<byte[]> index = client.get("/ui/");
        assertEquals(200, index.statusCode());
        assertEquals("text/html; charset=utf-8", index.headers().firstValue("Content-Type").orElse(""));
        String html = new String(index.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<script src=\"/ui/app.js\""));
        // Before the script has loaded anything: no empty table that looks like an empty list, no paging.
        assertTrue(html.contains("<p id=\"repo-count\" class=\"muted\">Loading…</p>"), html);
        for (String button : List.of("repo-prev", "repo-next", "tag-prev", "tag-next")) {
            assertTrue(html.contains("id=\"" + button + "\" disabled"), button);
        }
        assertTrue(index.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
        assertEquals(200, client.get("/ui/app.js").statusCode());
        assertEquals("text/css; charset=utf-8", client.get("/ui/app.css").headers().firstValue("Content-Type")
                .orElse(""));
        assertEquals(404, client.get("/ui/secrets.txt").statusCode());
        HttpResponse<byte[]> bare = client.get("/ui");
        assertTrue(bare.statusCode() == 200 || bare.headers().firstValue("Location").orElse("").equals("/ui/"),
                "/ui without its slash: " + bare.statusCode());
    }

    @Test
    void signingInSetsASessionCookieThatTheApiAccepts() {
        HttpResponse<byte[]> wrong = login("alice", "not her password");
        assertEquals(303, wrong.statusCode());
        assertEquals("/ui/?failed#/login", wrong.headers().firstValue("Location").orElse(""));
        assertFalse(wrong.headers().firstValue("Set-Cookie").isPresent());

        HttpResponse<byte[]> right = login("alice", Htpasswd.ALICE_PASSWORD);
        assertEquals(303, right.statusCode());
        assertEquals("/ui/", right.headers().firstValue("Location").orElse(""));
        String setCookie = right.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.contains("; HttpOnly") && setCookie.contains("; SameSite=Strict")
                && setCookie.contains("; Path=/"), setCookie);
        String cookie = session(right);
        assertEquals("alice", json(client.get("/api/v1/me", "Cookie", cookie)).path("user").asText());
        assertTrue(json(client.get("/api/v1/me", "Cookie", cookie)).path("authentication").asBoolean());
        assertTrue(json(client.get("/api/v1/me")).path("user").isNull());

        // A session is no registry token, and the registry's token no session.
        String value = cookie.substring(cookie.indexOf('=') + 1);
        assertEquals(401, client.get("/v2/team/app/tags/list", "Authorization", "Bearer " + value).statusCode());

        HttpResponse<byte[]> out = client.send("POST", "/ui/logout", new byte[0]);
        assertEquals(303, out.statusCode());
        assertTrue(out.headers().firstValue("Set-Cookie").orElse("").startsWith("berth_session=; Path=/; Max-Age=0"));
    }

    @Test
    void writesWithTheCookieMustComeFromThePage() {
        String cookie = session(login("alice", Htpasswd.ALICE_PASSWORD));
        assertApiError(client.send("PUT", PIN, null, "Cookie", cookie), 403, "FORBIDDEN");
        assertApiError(client.send("PUT", PIN, null, "Cookie", cookie, "X-Berth-Request", "page",
                "Origin", "http://evil.example"), 403, "FORBIDDEN");
        String origin = client.base().toString().replaceAll("/$", "");
        assertEquals(204, client.send("PUT", PIN, null, "Cookie", cookie, "X-Berth-Request", "page",
                "Origin", origin).statusCode());

        assertEquals(403, login("alice", Htpasswd.ALICE_PASSWORD, "Origin", "http://evil.example").statusCode(),
                "another site cannot sign a visitor in");
    }
}
