package dev.berth.http;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static dev.berth.support.TestDirectory.ALICE_PASSWORD;
import static dev.berth.support.TestDirectory.CAROL_PASSWORD;
import static dev.berth.support.TestDirectory.SERVICE_DN;
import static dev.berth.support.TestDirectory.userDn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.MutableClock;
import dev.berth.support.PageSignIn;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import dev.berth.support.TestDirectory;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directory users (auth.ldap) as clients meet them, against a real LDAP server: the token flow, Basic requests, the
 * page's sign-in and the admin API; directory groups in rules; a login bound once for a whole pull; a directory that is
 * down answered 503, never 401.
 */
class DirectoryLoginTest {
    private static final String MESSAGE = "the account directory (auth.ldap) is unavailable; try again later";

    @TempDir
    Path dir;
    @RegisterExtension
    final Closing open = new Closing();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));

    private RunningBerth start(TestDirectory directory, String before) {
        String ldap = directory.authLdapYaml(dir, "cache-ttl: 1m", "response-timeout: 1s");
        return open.add(RunningBerth.start(dir.resolve("data"), "auth:\n" + before + ldap
                + TestDirectory.DEVS_PUSH_RULES, clock));
    }

    private static String token(TestClient client, String scope) {
        HttpResponse<byte[]> r = client.get("/auth/token?service=berth&scope=" + scope);
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        return json(r).path("token").asText();
    }

    @Test
    void aDirectoryGroupGrantsPushThroughTheTokenFlow() {
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = start(directory, "");
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        TestClient aliceWithToken = berth.client().withAuthorization("Bearer " + token(alice,
                "repository:team/app:pull,push"));
        assertEquals(202, aliceWithToken.send("POST", "/v2/team/app/blobs/uploads/", null).statusCode());
        alice.pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(1000, 1));

        // carol is in no group: the rules let her pull, and her token is cut down to that.
        TestClient carol = berth.client().withBasic("carol", CAROL_PASSWORD);
        TestClient carolWithToken = berth.client().withAuthorization("Bearer " + token(carol,
                "repository:team/app:pull,push"));
        assertEquals(200, carolWithToken.get("/v2/team/app/manifests/1").statusCode());
        assertError(carolWithToken.send("POST", "/v2/team/app/blobs/uploads/", null), 403, "DENIED");
        assertError(carol.send("POST", "/v2/team/app/blobs/uploads/", null), 403, "DENIED");
    }

    @Test
    void wrongPasswordsUnknownUsersAndFiltersInNamesGet401() {
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = start(directory, "");
        assertError(berth.client().withBasic("alice", CAROL_PASSWORD).get("/v2/"), 401, "UNAUTHORIZED");
        assertError(berth.client().withBasic("mallory", ALICE_PASSWORD).get("/auth/token?service=berth"), 401,
                "UNAUTHORIZED");
        assertError(berth.client().withBasic("*)(uid=*", ALICE_PASSWORD).get("/v2/"), 401, "UNAUTHORIZED");
        assertError(berth.client().withBasic("*", ALICE_PASSWORD).get("/auth/token?service=berth"), 401,
                "UNAUTHORIZED");
        assertEquals(1, directory.binds(userDn("alice")), "only the wrong password reached her entry");
    }

    @Test
    void aPullBindsOnceNotOnceARequest() {
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = start(directory, "");
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        alice.pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(1000, 1));
        for (int i = 0; i < 10; i++) {
            assertEquals(200, alice.get("/v2/team/app/manifests/1").statusCode());
        }
        assertEquals(1, directory.binds(userDn("alice")));
        assertEquals(1, directory.binds(SERVICE_DN), "one lookup of her entry and groups");

        clock.advance(Duration.ofMinutes(2));
        assertEquals(200, alice.get("/v2/team/app/manifests/1").statusCode());
        assertEquals(2, directory.binds(userDn("alice")), "asked again once auth.ldap.cache-ttl passed");
    }

    @Test
    void aUserRemovedFromTheDirectoryLosesTokensAndSessionsOnceTheMemoryExpires() {
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = start(directory, "");
        String cookie = PageSignIn.cookie(berth.client(), "alice", ALICE_PASSWORD).split(";", 2)[0];
        TestClient withToken = berth.client().withAuthorization("Bearer " + token(
                berth.client().withBasic("alice", ALICE_PASSWORD), "repository:team/app:pull"));
        directory.removeUser("alice");
        assertEquals(200, withToken.get("/v2/").statusCode(), "remembered for auth.ldap.cache-ttl");
        clock.advance(Duration.ofMinutes(2));
        assertError(withToken.get("/v2/"), 401, "UNAUTHORIZED");
        assertApiError(berth.client().get("/api/v1/me", "Cookie", cookie), 401, "UNAUTHORIZED");
        assertError(berth.client().withBasic("alice", ALICE_PASSWORD).get("/v2/"), 401, "UNAUTHORIZED");
    }

    @Test
    void aDirectoryThatIsDownGets503EverywhereNever401() {
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = start(directory, "");
        String cookie = PageSignIn.cookie(berth.client(), "alice", ALICE_PASSWORD).split(";", 2)[0];
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        String token = token(alice, "repository:team/app:pull");
        assertEquals("alice", json(berth.client().get("/api/v1/me", "Cookie", cookie)).path("user").asText());
        assertTrue(json(berth.client().get("/api/v1/me")).path("signIn").path("password").asBoolean(),
                "the page offers its password form to directory users");
        directory.stop();
        clock.advance(Duration.ofMinutes(2));

        for (HttpResponse<byte[]> r : List.of(alice.get("/v2/"),
                alice.get("/auth/token?service=berth&scope=repository:team/app:pull"),
                berth.client().withAuthorization("Bearer " + token).get("/v2/team/app/tags/list"))) {
            assertError(r, 503, "UNAVAILABLE");
            assertEquals(MESSAGE, json(r).path("errors").path(0).path("message").asText());
            assertEquals("5", header(r, "Retry-After"));
        }
        assertEquals(MESSAGE, assertApiError(berth.client().get("/api/v1/me", "Cookie", cookie), 503,
                "UNAVAILABLE"));
        assertEquals(MESSAGE, assertApiError(alice.get("/api/v1/me"), 503, "UNAVAILABLE"));
        HttpResponse<byte[]> page = signIn(berth.client(), "carol", CAROL_PASSWORD);
        assertEquals(503, page.statusCode());
        assertEquals("berth cannot sign you in now: " + MESSAGE, new String(page.body(), StandardCharsets.UTF_8)
                .strip());

        // Back up: everything works again, and the outage counted as nobody's failed login.
        directory.restart();
        assertEquals(200, alice.get("/v2/").statusCode());
        assertEquals(200, berth.client().withAuthorization("Bearer " + token).get("/v2/").statusCode());
        assertEquals("alice", json(berth.client().get("/api/v1/me", "Cookie", cookie)).path("user").asText());
        PageSignIn.cookie(berth.client(), "carol", CAROL_PASSWORD);
    }

    @Test
    void aSlowDirectoryGets503WithinTheResponseTimeout() {
        TestDirectory directory = open.add(TestDirectory.start());
        RunningBerth berth = start(directory, "");
        directory.hold();
        HttpResponse<byte[]> r = berth.client().withBasic("alice", ALICE_PASSWORD).get("/v2/");
        assertError(r, 503, "UNAVAILABLE");
        directory.answer();
        assertEquals(200, berth.client().withBasic("alice", ALICE_PASSWORD).get("/v2/").statusCode());
    }

    @Test
    void anHtpasswdUserIsCheckedInTheFileAndWorksWhileTheDirectoryIsDown() throws IOException {
        TestDirectory directory = open.add(TestDirectory.start());
        Path htpasswd = Htpasswd.aliceAndBob(dir.resolve("htpasswd"));
        RunningBerth berth = start(directory, "  htpasswd: '" + htpasswd + "'\n");
        assertError(berth.client().withBasic("alice", ALICE_PASSWORD).get("/v2/"), 401, "UNAUTHORIZED");
        assertEquals(200, berth.client().withBasic("alice", Htpasswd.ALICE_PASSWORD).get("/v2/").statusCode());
        assertEquals(0, directory.binds(userDn("alice")), "the file's alice shadows the directory's");
        assertEquals(200, berth.client().withBasic("carol", CAROL_PASSWORD).get("/v2/").statusCode());
        directory.stop();
        assertEquals(200, berth.client().withBasic("bob", Htpasswd.BOB_PASSWORD).get("/v2/").statusCode());
    }

    @Test
    void aFilterOrCaFileThatCannotServeStopsBerthAtStartNamingTheKey() throws IOException {
        TestDirectory directory = open.add(TestDirectory.start());
        String unclosed = directory.authLdapYaml(dir).replace("(uid={username})", "(uid={username}");
        String message = assertThrows(IllegalArgumentException.class, () -> RunningBerth.start(dir.resolve("data"),
                "auth:\n" + unclosed)).getMessage();
        assertTrue(message.startsWith("auth.ldap.user-filter: not an LDAP filter"), message);
        Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        message = assertThrows(IllegalArgumentException.class, () -> RunningBerth.start(dir.resolve("data"),
                "auth:\n" + directory.authLdapYaml(dir, "start-tls: true", "ca-file: '" + notPem + "'"))).getMessage();
        assertTrue(message.startsWith("auth.ldap.ca-file: " + notPem), message);
        assertEquals(0, directory.binds(SERVICE_DN), "nothing was asked of the directory");
    }

    private static HttpResponse<byte[]> signIn(TestClient client, String user, String password) {
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        return client.send("POST", "/ui/login", form.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
    }
}
