package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.berth.support.Browser;
import dev.berth.support.LogCapture;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review's cross-site page, in headless Chromium: a page of another origin (a second local web server, reached as
 * {@code localhost}, another site than berth's {@code 127.0.0.1}, and as {@code 127.0.0.1} on another port, the same
 * site) makes the browser POST to a berth without authentication with {@code fetch(..., {mode: "no-cors"})}: an
 * upload session, a whole blob, and a cross-repository mount. berth answers each with 403 and stores nothing.
 */
class CrossSitePageTest {
    private static final String BLOB = "a blob another site's page pushes";

    @TempDir
    Path dir;

    private RunningBerth berth;
    private HttpServer site;
    private Browser browser;
    /** The digest of a blob in team/app, which the page tries to mount elsewhere. */
    private String mounted;

    @BeforeEach
    void start() throws IOException {
        berth = RunningBerth.start(dir.resolve("data"));
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            byte[] page = page().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        site.start();
        browser = Browser.start();
    }

    @AfterEach
    void stop() {
        try {
            browser.close();
        } finally {
            site.stop(0);
            berth.close();
        }
    }

    /** The attacking page: three no-cors POSTs to berth, then its title says they were all sent. */
    private String page() {
        String target = "http://127.0.0.1:" + berth.port();
        return """
                <!doctype html><title>loading</title>
                <script>
                const berth = "%s";
                const posts = [
                  "/v2/evil/app/blobs/uploads/",
                  "/v2/evil/app/blobs/uploads/?digest=%s",
                  "/v2/evil/copy/blobs/uploads/?mount=%s&from=team/app",
                ];
                Promise.allSettled(posts.map(path => fetch(berth + path,
                    {method: "POST", mode: "no-cors", credentials: "include", body: "%s"})))
                  .then(results => { document.title = "sent " + results.map(r => r.status).join(","); });
                </script>
                """.formatted(target, TestData.digest(BLOB.getBytes(StandardCharsets.UTF_8)), mounted, BLOB);
    }

    @Test
    void anotherOriginsPageStoresNothingThroughTheBrowser() throws InterruptedException {
        TestClient client = berth.client();
        mounted = client.pushBlob("team/app", TestData.bytes(2000, 1));
        String digest = TestData.digest(BLOB.getBytes(StandardCharsets.UTF_8));
        try (LogCapture log = LogCapture.of("dev.berth.access")) {
            int expected = 0;
            for (String origin : List.of("http://localhost:" + site.getAddress().getPort(),
                    "http://127.0.0.1:" + site.getAddress().getPort())) {
                browser.driver().get(origin + "/");
                browser.await(d -> d.getTitle().startsWith("sent "));
                assertEquals("sent fulfilled,fulfilled,fulfilled", browser.driver().getTitle(), origin);
                expected += 3;
                int posts = expected;
                Poll.until(() -> posts(log).size() >= posts, "berth's answers to the page's POSTs");
            }
            List<String> answers = posts(log);
            assertEquals(6, answers.size(), String.join("\n", answers));
            assertTrue(answers.stream().allMatch(line -> line.matches(
                    "127\\.0\\.0\\.1 - \"POST /v2/evil/\\S+ HTTP/1\\.1\" 403 .*")), String.join("\n", answers));
        }
        assertEquals(404, client.head("/v2/evil/app/blobs/" + digest).statusCode(), "no blob was stored");
        assertEquals(404, client.head("/v2/evil/copy/blobs/" + mounted).statusCode(), "nothing was mounted");
    }

    /** The access log's lines of POSTs under {@code /v2/evil/}. */
    private static List<String> posts(LogCapture log) {
        return log.messages(Level.INFO).stream().filter(m -> m.contains("\"POST /v2/evil/")).toList();
    }
}
