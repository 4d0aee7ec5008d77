package dev.berth.http;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.S3Server;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator or a user grants can be taken back: signing out ends the session on the server (after a restart,
 * and on every instance sharing the store), and removing an account or changing its password ends its sessions and
 * its registry tokens within the htpasswd file's reload, as a saved cookie or token shows.
 */
class SessionRevocationTest {
    /** Longer than the htpasswd file's reload interval (a second), with room for a loaded machine. */
    private static final Duration RELOAD = Duration.ofSeconds(5);
    private static final String AUTH = """
            auth:
              htpasswd: '%s'
              rules:
                - {repositories: ['team/*'], pull: ['*'], push: ['*'], delete: ['*'], admin: [alice]}
            private: {repositories: ['team/*']}
            cluster: {secret-file: '%s'}
            """;

    @TempDir
    Path dir;

    private Path htpasswd;
    private Path secret;
    @RegisterExtension
    final Closing open = new Closing();

    @BeforeEach
    void files() throws IOException {
        htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        secret = Files.writeString(dir.resolve("cluster.key"), "0123456789abcdef0123456789abcdef0123456789\n");
    }


    private RunningBerth start() {
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), AUTH.formatted(htpasswd, secret));
        open.add(berth);
        return berth;
    }

    /** Signs in through the page's form; returns the cookie as a browser sends it back ({@code name=value}). */
    private static String signIn(TestClient client, String user, String password) {
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = client.send("POST", "/ui/login", form.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(303, r.statusCode());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow(() -> new AssertionError(
                "no session for " + user + ": " + r.headers().firstValue("Location").orElse("")));
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static HttpResponse<byte[]> me(TestClient client, String cookie) {
        return client.get("/api/v1/me", "Cookie", cookie);
    }

    private static String user(TestClient client, String cookie) {
        HttpResponse<byte[]> r = me(client, cookie);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        return json(r).path("user").asText();
    }

    /** Deletes a tag through the admin API as the page does, with the session cookie. */
    private static HttpResponse<byte[]> deleteTag(TestClient client, String cookie, String tag) {
        String origin = client.base().toString().replaceAll("/$", "");
        return client.send("DELETE", "/api/v1/repositories/team/app/tags/" + tag, null, "Cookie", cookie,
                "X-Berth-Request", "page", "Origin", origin);
    }

    /** A registry token from the token endpoint, as docker fetches one. */
    private static String token(TestClient client, String user, String password, String scope) {
        HttpResponse<byte[]> r = client.withBasic(user, password).get("/auth/token?service=berth&scope=" + scope);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        return json(r).path("token").asText();
    }

    private static void pushTags(TestClient client, String... tags) {
        TestClient alice = client.withBasic("alice", ALICE_PASSWORD);
        for (String tag : tags) {
            alice.pushImage("team/app", tag, TestData.utf8("{\"tag\":\"" + tag + "\"}"), TestData.bytes(100, 1));
        }
    }

    /** Rewrites the htpasswd file with {@code replacement} for alice's line; bob's stays as it was, byte for byte. */
    private void replaceAlicesLine(String replacement) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(htpasswd)) {
            text.append(line.startsWith("alice:") ? replacement : line + "\n");
        }
        Files.writeString(htpasswd, text);
    }

    private static void assertEnded(HttpResponse<byte[]> r) {
        String message = assertApiError(r, 401, "UNAUTHORIZED");
        assertTrue(message.contains("session has ended"), message);
        assertTrue(r.headers().firstValue("Set-Cookie").orElse("").startsWith("berth_session=; Path=/; Max-Age=0"),
                "the cookie is taken away: " + r.headers().map());
        assertTrue(r.headers().firstValue("WWW-Authenticate").isEmpty(), "no Basic challenge, no browser dialog");
    }

    @Test
    void signingOutEndsTheSessionOnTheServerAlsoAfterARestart() {
        RunningBerth berth = start();
        TestClient client = berth.client();
        pushTags(client, "1", "2");
        String saved = signIn(client, "alice", ALICE_PASSWORD);
        String otherBrowser = signIn(client, "alice", ALICE_PASSWORD);
        assertEquals("alice", user(client, saved));
        assertEquals(204, deleteTag(client, saved, "1").statusCode());

        HttpResponse<byte[]> out = client.send("POST", "/ui/logout", new byte[0], "Cookie", saved);
        assertEquals(303, out.statusCode());
        assertTrue(out.headers().firstValue("Set-Cookie").orElse("").startsWith("berth_session=; Path=/; Max-Age=0"));

        assertEnded(me(client, saved));
        assertEnded(deleteTag(client, saved, "2"));
        assertEquals("alice", user(client, otherBrowser), "her session in another browser goes on");
        assertTrue(json(client.get("/api/v1/me")).path("user").isNull(), "without a cookie: anonymous");

        open.remove(berth);
        berth.close();
        TestClient restarted = start().client();
        assertEnded(me(restarted, saved));
        assertEquals("alice", user(restarted, otherBrowser));
    }

    @Test
    void signingOutAgainWithTheSameCookieWritesNothingMore() throws IOException {
        TestClient client = start().client();
        String saved = signIn(client, "alice", ALICE_PASSWORD);
        assertEquals(303, client.send("POST", "/ui/logout", new byte[0], "Cookie", saved).statusCode());
        Path sessions = dir.resolve("data").resolve("sessions");
        byte[] changed = Files.readAllBytes(sessions.resolve("changed"));
        List<Path> ended;
        try (Stream<Path> files = Files.list(sessions.resolve("ended"))) {
            ended = files.toList();
        }
        assertEquals(1, ended.size(), ended::toString);
        for (int i = 0; i < 3; i++) {
            // A saved copy of the cookie, sent again and again: each once made every instance list the sign-outs.
            assertEquals(303, client.send("POST", "/ui/logout", new byte[0], "Cookie", saved).statusCode());
        }
        assertArrayEquals(changed, Files.readAllBytes(sessions.resolve("changed")), "the store was not marked changed");
        try (Stream<Path> files = Files.list(sessions.resolve("ended"))) {
            assertEquals(ended, files.toList());
        }
        assertEnded(me(client, saved));
    }

    @Test
    void removingAnAccountEndsItsSessionsAndTokensAtOnce() throws Exception {
        TestClient client = start().client();
        pushTags(client, "1");
        String alices = signIn(client, "alice", ALICE_PASSWORD);
        String bobs = signIn(client, "bob", BOB_PASSWORD);
        TestClient aliceWithToken = client.withAuthorization("Bearer "
                + token(client, "alice", ALICE_PASSWORD, "repository:team/app:pull,delete"));
        assertEquals(200, aliceWithToken.get("/v2/team/app/tags/list").statusCode());

        replaceAlicesLine("");

        Poll.until(() -> me(client, alices).statusCode() == 401, "alice's session to end", RELOAD);
        assertEnded(deleteTag(client, alices, "1"));
        assertError(aliceWithToken.get("/v2/team/app/tags/list"), 401, "UNAUTHORIZED");
        assertError(aliceWithToken.send("DELETE", "/v2/team/app/manifests/1", null), 401, "UNAUTHORIZED");
        assertEquals("bob", user(client, bobs), "another account's session goes on");
        assertEquals(401, client.withBasic("alice", ALICE_PASSWORD).get("/v2/").statusCode());
    }

    @Test
    void changingAPasswordEndsTheSessionsAndTokensOfThatAccountOnly() throws Exception {
        TestClient client = start().client();
        pushTags(client, "1");
        String alices = signIn(client, "alice", ALICE_PASSWORD);
        String bobs = signIn(client, "bob", BOB_PASSWORD);
        TestClient aliceWithToken = client.withAuthorization("Bearer "
                + token(client, "alice", ALICE_PASSWORD, "repository:team/app:pull"));
        TestClient bobWithToken = client.withAuthorization("Bearer "
                + token(client, "bob", BOB_PASSWORD, "repository:team/app:pull"));

        String newPassword = "a new password for alice";
        replaceAlicesLine(Htpasswd.line("alice", newPassword));

        Poll.until(() -> me(client, alices).statusCode() == 401, "alice's session to end", RELOAD);
        assertEnded(me(client, alices));
        assertError(aliceWithToken.get("/v2/team/app/tags/list"), 401, "UNAUTHORIZED");
        assertEquals("bob", user(client, bobs));
        assertEquals(200, bobWithToken.get("/v2/team/app/tags/list").statusCode(), "bob's token goes on");

        String again = signIn(client, "alice", newPassword);
        assertEquals("alice", user(client, again));
        assertEquals(200, client.withAuthorization("Bearer " + token(client, "alice", newPassword,
                "repository:team/app:pull")).get("/v2/team/app/tags/list").statusCode());
    }

    @Test
    void aSignOutOnOneInstanceEndsTheSessionOnTheOthersWithinSeconds() throws Exception {
        S3Server s3 = S3Server.start(dir.resolve("s3"));
        open.add(s3);
        s3.createBucket("berth");
        List<TestClient> fleet = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RunningBerth berth = RunningBerth.startWithStorage(s3.storageYaml(dir.resolve("local-" + i), "berth", ""),
                    AUTH.formatted(htpasswd, secret));
            open.add(berth);
            fleet.add(berth.client());
        }
        TestClient one = fleet.get(0);
        TestClient other = fleet.get(1);
        String saved = signIn(one, "alice", ALICE_PASSWORD);
        String kept = signIn(other, "alice", ALICE_PASSWORD);
        assertEquals("alice", user(other, saved), "any instance accepts a session another opened");

        assertEquals(303, one.send("POST", "/ui/logout", new byte[0], "Cookie", saved).statusCode());
        assertEnded(me(one, saved));
        Poll.until(() -> me(other, saved).statusCode() == 401, "the other instance to refuse the session",
                Duration.ofSeconds(10));
        assertEnded(me(other, saved));
        assertEquals("alice", user(one, kept), "a session opened on the other instance goes on");
        assertEquals("alice", user(other, kept));
    }
}
