package dev.berth.http.api;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.RawHttp;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's house: who a call is from (Basic, Bearer, nobody), who administers, and its one error shape. */
class AdminApiTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final Closing open = new Closing();


    private TestClient start(String authYaml) throws IOException {
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), authYaml.formatted(htpasswd));
        open.add(berth);
        return berth.client();
    }

    private static JsonNode me(TestClient client, String... headers) {
        HttpResponse<byte[]> r = client.get("/api/v1/me", headers);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return json(r);
    }

    @Test
    void basicAndBearerAuthenticateAndWithoutRulesEveryUserIsAdmin() throws IOException {
        TestClient client = start("auth: {htpasswd: '%s'}");
        JsonNode anonymous = me(client);
        assertTrue(anonymous.path("user").isNull());
        assertEquals(false, anonymous.path("admin").asBoolean());

        JsonNode alice = me(client.withBasic("alice", ALICE_PASSWORD));
        assertEquals("alice", alice.path("user").asText());
        assertEquals(true, alice.path("admin").asBoolean());

        HttpResponse<byte[]> tokenAnswer = client.withBasic("bob", BOB_PASSWORD).get("/auth/token?service=berth");
        String token = json(tokenAnswer).path("token").asText();
        assertEquals("bob", me(client.withAuthorization("Bearer " + token)).path("user").asText());
    }

    @Test
    void refusedCredentialsAre401WithABasicChallengeInTheApiShape() throws IOException {
        TestClient client = start("auth: {htpasswd: '%s'}");
        HttpResponse<byte[]> wrong = client.withBasic("alice", "not her password").get("/api/v1/me");
        assertEquals("wrong user name or password", assertApiError(wrong, 401, "UNAUTHORIZED"));
        assertEquals("Basic realm=\"berth\"", wrong.headers().firstValue("WWW-Authenticate").orElse(""));

        HttpResponse<byte[]> badToken = client.withAuthorization("Bearer not.a.token").get("/api/v1/me");
        assertApiError(badToken, 401, "UNAUTHORIZED");
        assertEquals("Basic realm=\"berth\"", badToken.headers().firstValue("WWW-Authenticate").orElse(""));

        assertApiError(client.withAuthorization("Digest x").get("/api/v1/me"), 401, "UNAUTHORIZED");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405InTheApiShape() throws IOException {
        TestClient client = start("auth: {htpasswd: '%s'}");
        assertTrue(assertApiError(client.get("/api/v1/nothing/here"), 404, "NOT_FOUND").contains("/api/v1/nothing"));
        assertApiError(client.get("/api/v1"), 404, "NOT_FOUND");
        HttpResponse<byte[]> post = client.send("POST", "/api/v1/me", new byte[0]);
        assertApiError(post, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void theRulesAdminListNamesAdministrators() throws IOException {
        TestClient client = start("""
                auth:
                  htpasswd: '%s'
                  groups: {ops: [alice]}
                  rules:
                    - {repositories: ['team/*'], pull: ['*'], push: ['*'], admin: ['@ops']}
                """);
        assertEquals(true, me(client.withBasic("alice", ALICE_PASSWORD)).path("admin").asBoolean());
        assertEquals(false, me(client.withBasic("bob", BOB_PASSWORD)).path("admin").asBoolean());

        byte[] warm = "{\"images\": [\"busybox\"]}".getBytes();
        HttpResponse<byte[]> anonymous = client.send("POST", "/api/v1/warm-jobs", warm);
        assertApiError(anonymous, 401, "UNAUTHORIZED");
        assertEquals("Basic realm=\"berth\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals("bob may not use the admin API's actions (the access rules' admin)", assertApiError(
                client.withBasic("bob", BOB_PASSWORD).send("POST", "/api/v1/warm-jobs", warm), 403, "FORBIDDEN"));
        assertApiError(client.withBasic("bob", BOB_PASSWORD).get("/api/v1/warm-jobs"), 403, "FORBIDDEN");
        assertTrue(assertApiError(client.withBasic("alice", ALICE_PASSWORD).send("POST", "/api/v1/warm-jobs",
                warm), 400, "BAD_REQUEST").contains("no default upstream"), "past the checks: nothing mirrors busybox");
    }

    @Test
    void withoutAuthenticationOnlyThisHostAdministers() throws IOException {
        RunningBerth berth = RunningBerth.start(dir.resolve("data"));
        open.add(berth);
        assertEquals(true, me(berth.client()).path("admin").asBoolean(), "a loopback caller");
        assertEquals(false, me(berth.client(), "X-Forwarded-For", "192.0.2.7").path("admin").asBoolean(),
                "a caller a proxy on this host forwarded");
        assertTrue(assertApiError(berth.client().get("/api/v1/warm-jobs", "X-Forwarded-For", "192.0.2.7"), 403,
                "FORBIDDEN").contains("authentication is off"));
        assertEquals(200, berth.client().get("/api/v1/warm-jobs").statusCode());
    }

    /**
     * A web page whose host name was made to resolve to 127.0.0.1 (DNS rebinding) reaches berth through the browser
     * of someone on berth's host, from loopback, with its own name in Host and Origin: it is no caller of this host.
     */
    @Test
    void withoutAuthenticationAPageUnderAnotherHostNameIsNoLocalCaller() throws IOException {
        RunningBerth berth = RunningBerth.start(dir.resolve("data"));
        open.add(berth);
        String rebound = "rebound.example:" + berth.port();
        String me = RawHttp.send(berth.port(), "GET /api/v1/me HTTP/1.1\r\nHost: " + rebound + "\r\n");
        assertTrue(me.contains("\"admin\":false"), me);
        String warm = RawHttp.send(berth.port(), "POST /api/v1/warm-jobs HTTP/1.1\r\nHost: " + rebound
                + "\r\nOrigin: http://" + rebound + "\r\nContent-Type: application/json\r\nContent-Length: 22\r\n",
                "{\"images\":[\"busybox\"]}");
        assertTrue(warm.startsWith("HTTP/1.1 403"), warm);
        assertTrue(me(berth.client()).path("admin").asBoolean(), "127.0.0.1 by its address");
        assertTrue(RawHttp.send(berth.port(), "GET /api/v1/me HTTP/1.1\r\nHost: localhost:" + berth.port() + "\r\n")
                .contains("\"admin\":true"), "and by localhost");
    }
}
