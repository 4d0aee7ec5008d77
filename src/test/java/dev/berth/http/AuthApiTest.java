package dev.berth.http;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.BerthServer;
import dev.berth.config.ConfigLoader;
import dev.berth.support.Closing;
import dev.berth.support.FreePort;
import dev.berth.support.Htpasswd;
import dev.berth.support.LogCapture;
import dev.berth.support.MutableClock;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Logins, tokens and access rules as clients meet them: challenges, scoped tokens, 401 versus 403. */
class AuthApiTest {
    private static final String RULES = """
            auth:
              htpasswd: '%s'
              token-ttl: 5m
              groups: {devs: [alice]}
              rules:
                - {repositories: ['team-a/*'], pull: ['@devs'], push: ['@devs'], delete: ['@devs']}
                - {repositories: ['team-b/*'], pull: ['*'], push: ['*']}
            private: {repositories: ['team-a/*', 'team-b/*', 'open/*']}
            """;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T00:00:00Z"));
    @RegisterExtension
    final Closing open = new Closing();


    private RunningBerth start(String authYaml) throws IOException {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), authYaml.formatted(htpasswd), clock);
        open.add(berth);
        return berth;
    }

    /** A token from berth's token endpoint, as docker fetches it. */
    private static String token(TestClient client, String scope) {
        HttpResponse<byte[]> r = client.get("/auth/token?service=berth&scope=" + scope);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        String token = json(r).path("token").asText();
        assertEquals(token, json(r).path("access_token").asText());
        assertEquals(300, json(r).path("expires_in").asInt());
        return token;
    }

    @Test
    void theStarActionGrantsWhatTheRulesAllow() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        alice.pushImage("team-a/app", "1", TestData.utf8("{}"), TestData.bytes(1000, 1));
        alice.pushImage("team-b/x", "1", TestData.utf8("{}"), TestData.bytes(1000, 2));
        TestClient bob = berth.client().withBasic("bob", BOB_PASSWORD);

        TestClient aliceWithToken = berth.client().withAuthorization("Bearer " + token(alice,
                "repository:team-a/app:*"));
        assertEquals(200, aliceWithToken.get("/v2/team-a/app/manifests/1").statusCode());
        assertEquals(202, aliceWithToken.send("POST", "/v2/team-a/app/blobs/uploads/", null).statusCode());
        assertEquals(202, aliceWithToken.send("DELETE", "/v2/team-a/app/manifests/1", null).statusCode());

        // The rules let bob pull and push team-b, not delete there: the star grants him those two.
        TestClient bobWithToken = berth.client().withAuthorization("Bearer " + token(bob, "repository:team-b/x:*"));
        assertEquals(202, bobWithToken.send("POST", "/v2/team-b/x/blobs/uploads/", null).statusCode());
        assertError(bobWithToken.send("DELETE", "/v2/team-b/x/manifests/1", null), 403, "DENIED");
    }

    @Test
    void theBaseEndpointChallengesAndALoginGetsAToken() throws IOException {
        RunningBerth berth = start(RULES);
        HttpResponse<byte[]> anonymous = berth.client().get("/v2/");
        assertError(anonymous, 401, "UNAUTHORIZED");
        assertEquals("Bearer realm=\"http://127.0.0.1:" + berth.port() + "/auth/token\",service=\"berth\"",
                header(anonymous, "WWW-Authenticate"));

        // X-Forwarded-Proto counts from a trusted proxy only (ClientBehindProxyTest); this client is none.
        assertEquals("Bearer realm=\"http://127.0.0.1:" + berth.port() + "/auth/token\",service=\"berth\"",
                header(berth.client().get("/v2/", "X-Forwarded-Proto", "https"), "WWW-Authenticate"));

        String token = token(berth.client().withBasic("alice", ALICE_PASSWORD), "");
        assertEquals(200, berth.client().withAuthorization("Bearer " + token).get("/v2/").statusCode());
        assertEquals(200, berth.client().withBasic("alice", ALICE_PASSWORD).get("/v2/").statusCode());

        HttpResponse<byte[]> wrong = berth.client().withBasic("alice", "guess").get("/auth/token?service=berth");
        assertError(wrong, 401, "UNAUTHORIZED");
        assertError(berth.client().withBasic("mallory", "guess").get("/v2/"), 401, "UNAUTHORIZED");
        assertError(berth.client().withAuthorization("Bearer " + token + "x").get("/v2/"), 401, "UNAUTHORIZED");
    }

    @Test
    void pushNeedsRightsAndTheTokenScopeGrantsOnlyThem() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        TestClient bob = berth.client().withBasic("bob", BOB_PASSWORD);
        alice.pushImage("team-a/app", "1", TestData.utf8("{}"), TestData.bytes(1000, 1));

        HttpResponse<byte[]> anonymousPush = berth.client().send("POST", "/v2/team-a/app/blobs/uploads/", null);
        assertError(anonymousPush, 401, "UNAUTHORIZED");
        assertTrue(header(anonymousPush, "WWW-Authenticate").endsWith(",scope=\"repository:team-a/app:pull,push\""),
                header(anonymousPush, "WWW-Authenticate"));
        assertError(bob.send("POST", "/v2/team-a/app/blobs/uploads/", null), 403, "DENIED");
        assertError(bob.get("/v2/team-a/app/manifests/1"), 403, "DENIED");
        assertEquals(202, bob.send("POST", "/v2/team-b/x/blobs/uploads/", null).statusCode());

        // The token endpoint cuts each scope down to what the rules allow.
        String bobsToken = token(bob, "repository:team-a/app:pull,push%20repository:team-b/x:pull,push,delete");
        TestClient bobWithToken = berth.client().withAuthorization("Bearer " + bobsToken);
        assertError(bobWithToken.get("/v2/team-a/app/manifests/1"), 403, "DENIED");
        assertEquals(202, bobWithToken.send("POST", "/v2/team-b/x/blobs/uploads/", null).statusCode());
        // Allowed by the rules but not in the token: 401, so the client fetches a token with that scope.
        HttpResponse<byte[]> outOfScope = bobWithToken.send("POST", "/v2/team-b/other/blobs/uploads/", null);
        assertError(outOfScope, 401, "UNAUTHORIZED");
        assertTrue(header(outOfScope, "WWW-Authenticate").contains("scope=\"repository:team-b/other:pull,push\""));

        String alicesToken = token(alice, "repository:team-a/app:pull");
        TestClient aliceWithToken = berth.client().withAuthorization("Bearer " + alicesToken);
        assertEquals(200, aliceWithToken.get("/v2/team-a/app/manifests/1").statusCode());
        assertError(aliceWithToken.send("DELETE", "/v2/team-a/app/manifests/1", null), 401, "UNAUTHORIZED");
    }

    @Test
    void uploadSessionsAreSeenAndCancelledOnlyWithPushRights() throws IOException {
        // bob may pull and delete in shared/*, but not push.
        RunningBerth berth = start("""
                auth:
                  htpasswd: '%s'
                  groups: {devs: [alice]}
                  rules:
                    - {repositories: ['shared/*'], pull: ['*'], push: ['@devs'], delete: ['@devs', 'bob']}
                private: {repositories: ['shared/*']}
                """);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        TestClient bob = berth.client().withBasic("bob", BOB_PASSWORD);
        String location = header(alice.send("POST", "/v2/shared/app/blobs/uploads/", null), "Location");

        assertError(bob.get(location), 403, "DENIED");
        assertError(bob.send("DELETE", location, null), 403, "DENIED");
        TestClient alicePulling = berth.client().withAuthorization(
                "Bearer " + token(alice, "repository:shared/app:pull,delete"));
        assertError(alicePulling.get(location), 401, "UNAUTHORIZED");
        assertError(alicePulling.send("DELETE", location, null), 401, "UNAUTHORIZED");
        assertEquals(204, alice.get(location).statusCode(), "the upload is still there");
        assertEquals(204, alice.send("DELETE", location, null).statusCode());
    }

    @Test
    void aMissingHtpasswdFileStopsBerthBeforeItTouchesTheDataDirectory() {
        Path data = dir.resolve("data");
        String yaml = "server: {host: 127.0.0.1, port: 0}\nstorage: {root: '" + data + "'}\n"
                + "auth: {htpasswd: '" + dir.resolve("missing") + "'}\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BerthServer.start(ConfigLoader.fromYaml(yaml)).close());
        assertTrue(e.getMessage().startsWith("auth.htpasswd: cannot read"), e::getMessage);
        assertFalse(Files.exists(data), "no data directory was created");
    }

    @Test
    void anonymousUsersPullMirroredContentButNotPrivateContent() throws IOException {
        // An upstream nobody listens on (a port free a moment ago, not one that may be taken on this machine): an
        // anonymous pull gets as far as asking it (503), not stopped at 401.
        RunningBerth berth = start(RULES + """
                mirror:
                  upstreams:
                    - {registry: docker.io, url: 'http://127.0.0.1:%d', default: true, connect-timeout: 1s}
                """.formatted(FreePort.pick()));
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        alice.pushImage("team-a/app", "1", TestData.utf8("{}"), TestData.bytes(1000, 2));

        String anonymousToken = token(berth.client(), "repository:library/busybox:pull%20repository:team-a/app:pull");
        TestClient anonymous = berth.client().withAuthorization("Bearer " + anonymousToken);
        assertError(anonymous.get("/v2/library/busybox/manifests/latest"), 503, "UNAVAILABLE");
        HttpResponse<byte[]> privatePull = anonymous.get("/v2/team-a/app/manifests/1");
        assertError(privatePull, 401, "UNAUTHORIZED");
        assertError(berth.client().get("/v2/library/busybox/manifests/latest"), 503, "UNAVAILABLE");
        assertError(berth.client().get("/v2/team-a/app/manifests/1"), 401, "UNAUTHORIZED");
    }

    @Test
    void blobsAreScopedByRepositoryAndMountsNeedPullRightsOnTheSource() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        TestClient bob = berth.client().withBasic("bob", BOB_PASSWORD);
        String digest = alice.pushBlob("team-a/app", TestData.bytes(5000, 3));

        assertEquals(200, alice.get("/v2/team-a/app/blobs/" + digest).statusCode());
        assertError(alice.get("/v2/team-b/x/blobs/" + digest), 404, "BLOB_UNKNOWN");

        String mount = "/v2/team-b/x/blobs/uploads/?mount=" + digest + "&from=team-a/app";
        assertEquals(202, bob.send("POST", mount, null).statusCode(), "bob may not read team-a: no mount");
        assertError(bob.get("/v2/team-b/x/blobs/" + digest), 404, "BLOB_UNKNOWN");
        assertEquals(201, alice.send("POST", mount, null).statusCode(), "alice may read team-a: mounted");
        assertEquals(200, bob.get("/v2/team-b/x/blobs/" + digest).statusCode());
    }

    @Test
    void theCatalogListsOnlyWhatTheCallerMayPull() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        for (String name : List.of("team-a/app", "team-b/x", "open/tool")) {
            alice.pushImage(name, "1", TestData.utf8("{}"), TestData.bytes(10, name.length()));
        }

        assertEquals(List.of("open/tool", "team-a/app", "team-b/x"), catalog(alice));
        assertEquals(List.of("open/tool", "team-b/x"), catalog(berth.client().withBasic("bob", BOB_PASSWORD)));
        assertEquals(List.of(), catalog(berth.client().withAuthorization("Bearer " + token(berth.client(), ""))));
    }

    private static List<String> catalog(TestClient client) {
        HttpResponse<byte[]> r = client.get("/v2/_catalog");
        assertEquals(200, r.statusCode());
        List<String> names = new ArrayList<>();
        json(r).path("repositories").forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    void tokensExpire() throws IOException {
        RunningBerth berth = start(RULES);
        String token = token(berth.client().withBasic("alice", ALICE_PASSWORD), "repository:team-a/app:pull");
        TestClient withToken = berth.client().withAuthorization("Bearer " + token);
        assertEquals(200, withToken.get("/v2/").statusCode());
        clock.advance(Duration.ofMinutes(5));
        HttpResponse<byte[]> expired = withToken.get("/v2/");
        assertError(expired, 401, "UNAUTHORIZED");
        assertTrue(header(expired, "WWW-Authenticate").contains("error=\"invalid_token\""));
    }

    @Test
    void containerdsPasswordGrantGetsATokenToo() throws IOException {
        RunningBerth berth = start(RULES);
        String form = "grant_type=password&username=alice&password=" + ALICE_PASSWORD.replace(" ", "+")
                + "&service=berth&scope=repository%3Ateam-a%2Fapp%3Apull%2Cpush&client_id=containerd";
        HttpResponse<byte[]> r = berth.client().send("POST", "/auth/token", form.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        TestClient withToken = berth.client().withAuthorization("Bearer " + json(r).path("access_token").asText());
        assertEquals(202, withToken.send("POST", "/v2/team-a/app/blobs/uploads/", null).statusCode());

        String wrong = "grant_type=password&username=alice&password=nope&scope=repository%3Ateam-a%2Fapp%3Apull";
        assertError(berth.client().send("POST", "/auth/token", wrong.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded"), 401, "UNAUTHORIZED");
    }

    @Test
    void basicSchemeChallengesWithBasic() throws IOException {
        RunningBerth berth = start(RULES.replace("token-ttl: 5m", "scheme: basic"));
        HttpResponse<byte[]> anonymous = berth.client().get("/v2/");
        assertError(anonymous, 401, "UNAUTHORIZED");
        assertEquals("Basic realm=\"berth\"", header(anonymous, "WWW-Authenticate"));
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        alice.pushImage("team-a/app", "1", TestData.utf8("{}"), TestData.bytes(100, 7));
        assertEquals(200, alice.get("/v2/team-a/app/manifests/1").statusCode());
    }

    @Test
    void repeatedFailedLoginsAreSlowedDownAndPasswordsNeverLogged() throws IOException {
        RunningBerth berth = start(RULES);
        try (LogCapture log = LogCapture.of("")) {
            TestClient guesser = berth.client().withBasic("alice", "wrong-guess-123");
            for (int i = 0; i < 5; i++) {
                assertError(guesser.get("/v2/"), 401, "UNAUTHORIZED");
            }
            long started = System.nanoTime();
            assertError(guesser.get("/v2/"), 401, "UNAUTHORIZED");
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofMillis(900)) >= 0,
                    "the sixth failure in a row is answered only after a delay");
            assertEquals(200, berth.client().withBasic("alice", ALICE_PASSWORD).get("/v2/").statusCode());
            String logged = log.text();
            assertFalse(logged.contains("wrong-guess-123"), logged);
            assertFalse(logged.contains(ALICE_PASSWORD), logged);
        }
    }
}
