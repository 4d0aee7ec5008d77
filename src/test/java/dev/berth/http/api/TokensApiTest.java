package dev.berth.http.api;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.MutableClock;
import dev.berth.support.PageSignIn;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/tokens} and the tokens it makes as registry clients meet them: created by a signed-in user within
 * their rights, a password for the registry API and its token endpoint limited to its scopes, listed without its
 * secret, and refused at once (registry tokens issued from it included) when revoked or expired.
 */
class TokensApiTest {
    private static final String RULES = """
            auth:
              htpasswd: '%s'
              groups: {devs: [alice]}
              rules:
                - {repositories: ['team-a/*'], pull: ['@devs'], push: ['@devs'], delete: ['@devs']}
                - {repositories: ['team-b/*'], pull: ['*'], push: ['@devs']}
            private: {repositories: ['team-a/*', 'team-b/*']}
            """;

    @TempDir
    Path dir;

    @RegisterExtension
    final Closing open = new Closing();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));

    private RunningBerth start(String authYaml) throws IOException {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), authYaml.formatted(htpasswd), clock);
        open.add(berth);
        return berth;
    }

    private static HttpResponse<byte[]> create(TestClient client, String body) {
        return client.send("POST", "/api/v1/tokens", body.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
    }

    private static String secretOf(HttpResponse<byte[]> created) {
        assertEquals(201, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
        return json(created).path("secret").asText();
    }

    private static String registryToken(TestClient client, String scope) {
        HttpResponse<byte[]> r = client.get("/auth/token?service=berth&scope=" + scope);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        return json(r).path("token").asText();
    }

    @Test
    void aCreatedTokenIsAPasswordForItsScopesOnlyAndItsSecretIsShownOnce() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        alice.pushImage("team-b/x", "1", TestData.utf8("{}"), TestData.bytes(100, 1));

        HttpResponse<byte[]> created = create(alice,
                "{\"name\": \"ci-app\", \"repositories\": [\"team-a/*\"], \"actions\": [\"pull\", \"push\"],"
                        + " \"expires\": \"30d\"}");
        String secret = secretOf(created);
        assertTrue(secret.startsWith("berth_"), secret);
        assertEquals("/api/v1/tokens/ci-app", header(created, "Location"));
        JsonNode shown = json(created);
        assertEquals("alice", shown.path("creator").asText());
        assertEquals("2026-12-31T00:00:00Z", shown.path("expires").asText());
        assertEquals(List.of("pull", "push"), texts(shown.path("actions")));
        assertEquals("docker login -u ci-app --password-stdin", shown.path("login").asText());
        HttpResponse<byte[]> one = alice.get(header(created, "Location"));
        assertEquals(200, one.statusCode());
        assertEquals("ci-app", json(one).path("name").asText());
        assertFalse(json(one).has("secret"));
        assertApiError(berth.client().withBasic("bob", BOB_PASSWORD).get("/api/v1/tokens/ci-app"), 404, "NOT_FOUND");

        TestClient ci = berth.client().withBasic("ci-app", secret);
        byte[] manifest = ci.pushImage("team-a/app", "1", TestData.utf8("{}"), TestData.bytes(1000, 2));
        HttpResponse<byte[]> pulled = ci.get("/v2/team-a/app/manifests/1");
        assertEquals(200, pulled.statusCode());
        assertTrue(java.util.Arrays.equals(manifest, pulled.body()));
        // Outside its globs: nothing, although alice could; and delete was not asked for.
        assertError(ci.send("POST", "/v2/team-b/x/blobs/uploads/", null), 403, "DENIED");
        assertError(ci.get("/v2/team-b/x/manifests/1"), 403, "DENIED");
        assertError(ci.send("DELETE", "/v2/team-a/app/manifests/1", null), 403, "DENIED");
        assertError(berth.client().withBasic("ci-app", secret + "x").get("/v2/"), 401, "UNAUTHORIZED");

        // The token endpoint cuts a holder's scopes to the token's: docker login and docker push do this.
        String jwt = registryToken(ci, "repository:team-a/app:pull,push,delete%20repository:team-b/x:pull");
        TestClient bearer = berth.client().withAuthorization("Bearer " + jwt);
        assertEquals(202, bearer.send("POST", "/v2/team-a/app/blobs/uploads/", null).statusCode());
        assertError(bearer.get("/v2/team-b/x/manifests/1"), 403, "DENIED");

        // Listed with its last use, never with its secret.
        HttpResponse<byte[]> list = alice.get("/api/v1/tokens");
        assertEquals(200, list.statusCode());
        String listed = new String(list.body(), StandardCharsets.UTF_8);
        assertFalse(listed.contains(secret.substring(6)), listed);
        JsonNode token = json(list).path("tokens").get(0);
        assertEquals("ci-app", token.path("name").asText());
        assertEquals(List.of("team-a/*"), texts(token.path("repositories")));
        assertEquals(clock.instant().toString(), token.path("lastUsed").asText());
        assertTrue(json(list).path("tokens").get(1) == null);
    }

    /** A token's holder, with its secret (Basic) and with a registry token fetched with it for team-a/app. */
    private record Holder(TestClient basic, TestClient bearer) {
    }

    /** Creates the token {@code name} for team-a/* as {@code creator}, with the JSON {@code fields} besides. */
    private static Holder holder(RunningBerth berth, TestClient creator, String name, String fields, String actions) {
        String secret = secretOf(create(creator, "{\"name\": \"" + name + "\", \"repositories\": [\"team-a/*\"], "
                + fields + "}"));
        TestClient basic = berth.client().withBasic(name, secret);
        return new Holder(basic, berth.client().withAuthorization("Bearer "
                + registryToken(basic, "repository:team-a/app:" + actions)));
    }

    @Test
    void revokingATokenRefusesItAndTheRegistryTokensIssuedFromItAtOnce() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        Holder holder = holder(berth, alice, "ci", "\"actions\": [\"pull\", \"push\"]", "pull,push");
        TestClient ci = holder.basic();
        TestClient bearer = holder.bearer();
        assertEquals(202, bearer.send("POST", "/v2/team-a/app/blobs/uploads/", null).statusCode());

        assertEquals(204, alice.delete("/api/v1/tokens/ci").statusCode());
        assertError(ci.get("/v2/"), 401, "UNAUTHORIZED");
        assertError(ci.get("/auth/token?service=berth&scope=repository:team-a/app:pull"), 401, "UNAUTHORIZED");
        assertError(bearer.send("POST", "/v2/team-a/app/blobs/uploads/", null), 401, "UNAUTHORIZED");
        assertEquals(0, json(alice.get("/api/v1/tokens")).path("tokens").size());
        assertApiError(alice.delete("/api/v1/tokens/ci"), 404, "NOT_FOUND");
    }

    @Test
    void anExpiredTokenAndItsRegistryTokensAre401() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        Holder holder = holder(berth, alice, "nightly", "\"actions\": [\"pull\"], \"expires\": \"2h\"", "pull");
        TestClient ci = holder.basic();
        TestClient bearer = holder.bearer();
        assertEquals(200, bearer.get("/v2/").statusCode());
        clock.advance(Duration.ofHours(2));
        assertError(ci.get("/v2/"), 401, "UNAUTHORIZED");
        assertError(bearer.get("/v2/"), 401, "UNAUTHORIZED");
        assertEquals("2026-12-01T02:00:00Z", json(alice.get("/api/v1/tokens")).path("tokens").get(0)
                .path("expires").asText(), "listed until revoked, so that its owner sees it has expired");
    }

    @Test
    void badRequestsAreRefusedSayingWhy() throws IOException {
        RunningBerth berth = start(RULES);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        TestClient bob = berth.client().withBasic("bob", BOB_PASSWORD);
        String pull = "\"repositories\": [\"team-b/*\"], \"actions\": [\"pull\"]";

        HttpResponse<byte[]> anonymous = create(berth.client(), "{\"name\": \"x1\", " + pull + "}");
        assertEquals("sign in to create an access token", assertApiError(anonymous, 401, "UNAUTHORIZED"));
        assertEquals("Basic realm=\"berth\"", header(anonymous, "WWW-Authenticate"));
        assertApiError(berth.client().get("/api/v1/tokens"), 401, "UNAUTHORIZED");

        assertTrue(assertApiError(create(alice, "{\"name\": \"Bad Name\", " + pull + "}"), 400, "BAD_REQUEST")
                .startsWith("name 'Bad Name' is not valid"));
        assertTrue(assertApiError(create(alice, "{\"name\": \"ci\", \"repositories\": [\"team-b/*\"],"
                + " \"actions\": [\"admin\"]}"), 400, "BAD_REQUEST").startsWith("action 'admin' is not one of"));
        assertTrue(assertApiError(create(alice, "{\"name\": \"ci\", " + pull + ", \"expires\": \"forever\"}"), 400,
                "BAD_REQUEST").startsWith("expires 'forever' is not a duration"));
        assertApiError(create(alice, "{\"name\": \"ci\", " + pull), 400, "BAD_REQUEST");
        assertTrue(assertApiError(create(alice, "{\"name\": \"bob\", " + pull + "}"), 409, "CONFLICT")
                .contains("is an account's"));

        assertEquals("bob may not push team-b/*, so no token of theirs may", assertApiError(create(bob,
                "{\"name\": \"bobs\", \"repositories\": [\"team-b/*\"], \"actions\": [\"push\"]}"), 403,
                "FORBIDDEN"));
        String bobs = secretOf(create(bob, "{\"name\": \"bobs\", " + pull + "}"));
        assertTrue(assertApiError(create(alice, "{\"name\": \"bobs\", " + pull + "}"), 409, "CONFLICT")
                .contains("exists already"));

        // A token manages no tokens; another user's tokens are as unknown as none.
        TestClient holder = berth.client().withBasic("bobs", bobs);
        assertTrue(assertApiError(create(holder, "{\"name\": \"more\", " + pull + "}"), 403, "FORBIDDEN")
                .startsWith("an access token may not"));
        assertApiError(holder.get("/api/v1/tokens"), 403, "FORBIDDEN");
        assertApiError(holder.delete("/api/v1/tokens/bobs"), 403, "FORBIDDEN");
        assertEquals(0, json(alice.get("/api/v1/tokens")).path("tokens").size(), "alice administers nothing here");
        assertEquals("no access token bobs of yours", assertApiError(alice.delete("/api/v1/tokens/bobs"), 404,
                "NOT_FOUND"));
        assertApiError(bob.delete("/api/v1/tokens/..%2Fhtpasswd"), 404, "NOT_FOUND");
        assertEquals(200, holder.get("/v2/").statusCode(), "still live");
    }

    @Test
    void anAdministratorSeesAndRevokesEveryonesTokens() throws IOException {
        RunningBerth berth = start("""
                auth:
                  htpasswd: '%s'
                  rules:
                    - {repositories: ['*'], pull: ['*'], push: ['*'], admin: [alice]}
                """);
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        TestClient bob = berth.client().withBasic("bob", BOB_PASSWORD);
        String secret = secretOf(create(bob, "{\"name\": \"bobs\", \"repositories\": [\"bob/*\"],"
                + " \"actions\": [\"pull\"]}"));
        secretOf(create(alice, "{\"name\": \"alices\", \"repositories\": [\"a/*\"], \"actions\": [\"pull\"]}"));
        assertEquals(List.of("alices", "bobs"), names(alice.get("/api/v1/tokens")));
        assertEquals(List.of("bobs"), names(bob.get("/api/v1/tokens")));
        assertEquals(204, alice.delete("/api/v1/tokens/bobs").statusCode());
        assertError(berth.client().withBasic("bobs", secret).get("/v2/"), 401, "UNAUTHORIZED");
    }

    @Test
    void thePagesSessionCreatesTokensButATokenDoesNotSignInToThePage() throws IOException {
        RunningBerth berth = start(RULES);
        String setCookie = PageSignIn.cookie(berth.client(), "alice", ALICE_PASSWORD);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<byte[]> created = berth.client().send("POST", "/api/v1/tokens", ("{\"name\": \"from-page\","
                        + " \"repositories\": [\"team-a/*\"], \"actions\": [\"pull\"]}").getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", "Cookie", cookie, "X-Berth-Request", "page");
        String secret = secretOf(created);
        assertEquals(200, berth.client().withBasic("from-page", secret).get("/v2/").statusCode());

        String form = "username=from-page&password=" + secret;
        HttpResponse<byte[]> signIn = berth.client().send("POST", "/ui/login", form.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(303, signIn.statusCode());
        assertEquals("/ui/?failed#/login", header(signIn, "Location"));
        assertTrue(signIn.headers().firstValue("Set-Cookie").isEmpty(), "no session for a token");

        HttpResponse<byte[]> page = berth.client().get("/ui/index.html");
        String html = new String(page.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("id=\"token-form\"") && html.contains("href=\"#/tokens\""), "the page's Tokens");
    }

    @Test
    void withoutAccountsThereAreNoTokens() {
        RunningBerth berth = RunningBerth.start(dir.resolve("data"));
        open.add(berth);
        assertTrue(assertApiError(create(berth.client(), "{\"name\": \"ci\", \"repositories\": [\"a/*\"],"
                + " \"actions\": [\"pull\"]}"), 409, "CONFLICT").contains("no accounts"));
    }

    private static List<String> names(HttpResponse<byte[]> list) {
        assertEquals(200, list.statusCode());
        List<String> names = new ArrayList<>();
        json(list).path("tokens").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(t -> texts.add(t.asText()));
        return texts;
    }
}
