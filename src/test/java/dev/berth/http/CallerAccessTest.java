package dev.berth.http;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.CallerAccess;
import dev.berth.mirror.MirrorTestBase;
import dev.berth.oci.MediaTypes;
import dev.berth.support.Htpasswd;
import dev.berth.support.LogCapture;
import dev.berth.support.MockHub;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirror.upstreams[].access: caller}: berth mirrors a private organisation with its own login, and each client
 * pulls what berth cached of it only when the organisation's token service, asked with the client's own login, grants
 * that client pull. Two users with different rights there, the decision's lifetime, the token service down, and
 * berth's own accounts beside it.
 */
class CallerAccessTest extends MirrorTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CAROL_PASSWORD = "carol-at-ghcr";
    private static final String DAVE_PASSWORD = "dave-at-ghcr";
    private static final Duration ACCESS_TTL = Duration.ofMinutes(1);
    private static final String APP_SCOPE = "repository:ghcr.io/org/app:pull";

    @StartStop
    public final MockWebServer ghcrServer = new MockWebServer();
    @StartStop
    public final MockWebServer ghcrAuth = new MockWebServer();
    private final MockHub ghcr = new MockHub(ghcrServer, ghcrAuth, "ghcr.io");

    @TempDir
    Path etc;

    @Override
    protected String mirrorYaml() {
        // berth's own login at the organisation may pull everything; carol and dave only what each is given.
        ghcr.user("berth-mirror", "mirror-pw", "org/app", "org/other");
        ghcr.user("carol", CAROL_PASSWORD, "org/app");
        ghcr.user("dave", DAVE_PASSWORD, "org/other");
        return "mirror:\n  upstreams:\n" + upstream("docker.io", hub.url(), true)
                + upstream("ghcr.io", ghcr.url(), false, "username: berth-mirror, password: mirror-pw, access: caller,"
                + " access-ttl: " + ACCESS_TTL.toSeconds() + "s, ")
                + "private:\n  repositories: ['team/*']\n"
                + Htpasswd.aliceAndBobWithRules(etc, "{repositories: ['team/*'], pull: [alice], push: [alice]}")
                + "cluster: {secret-file: '" + clusterKey() + "'}\n";
    }

    /** The key every instance of the fleet shares, which signs their tokens. */
    private Path clusterKey() {
        try {
            return Files.writeString(etc.resolve("cluster.key"), "0123456789abcdef0123456789abcdef0123456789\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token endpoint's answer to {@code login} (null: anonymous) asking for {@code scope}. */
    private HttpResponse<byte[]> tokenFor(String user, String password, String scope) {
        TestClient asking = user == null ? client : client.withBasic(user, password);
        return asking.get("/auth/token?service=berth&scope=" + scope);
    }

    /** A client with the token the endpoint gives {@code user} for {@code scope}, which must be given. */
    private TestClient withToken(String user, String password, String scope) {
        HttpResponse<byte[]> r = tokenFor(user, password, scope);
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        return client.withAuthorization("Bearer " + json(r).path("token").asText());
    }

    /** The {@code access} claim of the token in a token endpoint answer, as {@code name:actions} entries. */
    private static List<String> access(HttpResponse<byte[]> r) throws IOException {
        String payload = json(r).path("token").asText().split("\\.")[1];
        List<String> entries = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(Base64.getUrlDecoder().decode(payload)).path("access")) {
            assertEquals("repository", entry.path("type").asText());
            entries.add(entry.path("name").asText() + ":" + entry.path("actions").toString());
        }
        return entries;
    }

    /** The manifests and blobs in a hub log: not the tag lists that berth's checks of a login read. */
    private static List<String> content(List<String> log) {
        return log.stream().filter(line -> !line.contains("/tags/list")).toList();
    }

    private static void assertRefusedWithChallenge(HttpResponse<byte[]> r) {
        assertError(r, 401, "UNAUTHORIZED");
        assertTrue(header(r, "WWW-Authenticate").endsWith(",scope=\"" + APP_SCOPE + "\""),
                header(r, "WWW-Authenticate"));
        String message = json(r).path("errors").path(0).path("message").asText();
        assertTrue(message.contains("log in to berth with your own ghcr.io user name and password"), message);
    }

    @Test
    void eachUserPullsFromBerthsOneCopyOnlyWhatTheUpstreamGrantsThem() throws Exception {
        MockHub.Image app = ghcr.image("org/app", "1", 1);
        String manifest = "/v2/ghcr.io/org/app/manifests/1";

        HttpResponse<byte[]> carolsToken = tokenFor("carol", CAROL_PASSWORD, APP_SCOPE);
        assertEquals(200, carolsToken.statusCode(), () -> new String(carolsToken.body()));
        assertEquals(List.of("ghcr.io/org/app:[\"pull\"]"), access(carolsToken));
        assertEquals(ACCESS_TTL.toSeconds(), json(carolsToken).path("expires_in").asLong(),
                "the token lasts no longer than the decision behind it");
        TestClient carol = client.withAuthorization("Bearer " + json(carolsToken).path("token").asText());
        assertManifest(carol.get(manifest), app.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlob(carol.get(MockHub.blobPath("ghcr.io/org/app", app.config())), app.config());
        assertBlob(carol.get(MockHub.blobPath("ghcr.io/org/app", app.layers().getFirst())), app.layers().getFirst());
        // As containerd asks for it (ns=ghcr.io): the challenge names the stored name, which carol's token grants.
        String viaNs = "/v2/org/app/manifests/1?ns=ghcr.io";
        assertRefusedWithChallenge(client.get(viaNs));
        assertManifest(carol.get(viaNs), app.manifest(), MediaTypes.OCI_MANIFEST);
        awaitFillsStored(client);
        assertEquals(List.of("repository:org/app:pull"), ghcr.tokenRequests("carol"),
                "the upstream was asked once, with carol's login, for the repository's name there");
        List<String> fetched = content(ghcr.log());

        // dave's login is good at the upstream, but not for org/app: a token that grants nothing, and no content.
        HttpResponse<byte[]> davesToken = tokenFor("dave", DAVE_PASSWORD, APP_SCOPE);
        assertEquals(200, davesToken.statusCode(), () -> new String(davesToken.body()));
        assertEquals(List.of(), access(davesToken));
        TestClient dave = client.withAuthorization("Bearer " + json(davesToken).path("token").asText());
        assertRefusedWithChallenge(dave.get(manifest));
        assertRefusedWithChallenge(dave.get(MockHub.blobPath("ghcr.io/org/app", app.config())));
        HttpResponse<byte[]> head = dave.head(manifest);
        assertEquals(401, head.statusCode());
        assertTrue(header(head, "WWW-Authenticate").endsWith(",scope=\"" + APP_SCOPE + "\""));
        assertRefusedWithChallenge(dave.get("/v2/org/app/manifests/1?ns=ghcr.io"));
        assertEquals(List.of("repository:org/app:pull"), ghcr.tokenRequests("dave"));

        // What dave may pull does not open org/app's cached blobs to him through it.
        MockHub.Image other = ghcr.image("org/other", "1", 6);
        TestClient daveOnOther = withToken("dave", DAVE_PASSWORD, "repository:ghcr.io/org/other:pull");
        assertManifest(daveOnOther.get("/v2/ghcr.io/org/other/manifests/1"), other.manifest(), MediaTypes.OCI_MANIFEST);
        assertError(daveOnOther.get(MockHub.blobPath("ghcr.io/org/other", app.config())), 404, "BLOB_UNKNOWN");
        awaitFillsStored(client);
        fetched = content(ghcr.log());

        // Anonymous callers, and berth's own accounts, get nothing of it; the password of berth's account never goes
        // to the upstream (a login the upstream does not know would show as "?").
        assertRefusedWithChallenge(client.get(manifest));
        assertEquals(List.of(), access(tokenFor(null, null, APP_SCOPE)));
        HttpResponse<byte[]> alicesToken = tokenFor("alice", ALICE_PASSWORD, APP_SCOPE);
        assertEquals(200, alicesToken.statusCode());
        assertEquals(List.of(), access(alicesToken));
        assertRefusedWithChallenge(client.withBasic("alice", ALICE_PASSWORD).get(manifest));
        assertEquals(List.of(), ghcr.tokenRequests("?"));
        assertEquals(fetched, content(ghcr.log()), "no content fetched for the refused callers: berth's one copy");
        // Nor are the names listed: berth cannot tell who may see them without asking.
        for (TestClient anyone : List.of(client, client.withBasic("alice", ALICE_PASSWORD), carol)) {
            HttpResponse<byte[]> catalog = anyone.get("/v2/_catalog");
            assertEquals(200, catalog.statusCode(), new String(catalog.body()));
            assertEquals("[]", json(catalog).path("repositories").toString());
            assertEquals(0, json(anyone.get("/v1/search?q=app")).path("num_results").asInt());
        }

        // One token request makes berth ask about a few repositories at most.
        StringBuilder many = new StringBuilder(APP_SCOPE);
        for (int i = 0; i < 8; i++) {
            many.append("&scope=repository:ghcr.io/org/app").append(i).append(":pull");
        }
        HttpResponse<byte[]> tooMany = tokenFor("carol", CAROL_PASSWORD, many.toString());
        assertError(tooMany, 403, "DENIED");
        assertTrue(json(tooMany).path("errors").path(0).path("message").asText()
                .startsWith("a token may carry pull of at most 8 repositories"), new String(tooMany.body()));
        assertEquals(List.of("repository:org/app:pull"), ghcr.tokenRequests("carol"));

        // A wrong password at the upstream is a 401 at berth's token endpoint.
        HttpResponse<byte[]> wrong = tokenFor("carol", "guess", APP_SCOPE);
        assertError(wrong, 401, "UNAUTHORIZED");
        assertTrue(json(wrong).path("errors").path(0).path("message").asText()
                .startsWith("ghcr.io refused the login of carol"), new String(wrong.body()));
        assertEquals(List.of("repository:org/app:pull"), ghcr.tokenRequests("?"));
    }

    @Test
    void berthsOwnAccountsKeepTheirRightsElsewhere() {
        MockHub.Image busybox = hub.image(BUSYBOX, "latest", 2);
        String both = "repository:team/app:pull&scope=repository:busybox:pull";
        byte[] config = TestData.utf8("{}");
        TestClient alice = withToken("alice", ALICE_PASSWORD, "repository:team/app:pull,push");
        byte[] pushed = alice.pushImage("team/app", "1", config, TestData.bytes(500, 3));
        assertManifest(alice.get("/v2/team/app/manifests/1"), pushed, MediaTypes.OCI_MANIFEST);
        assertManifest(client.get("/v2/busybox/manifests/latest"), busybox.manifest(), MediaTypes.OCI_MANIFEST);

        // A login that is no account of berth's and no upstream's is refused, asked of the upstream once.
        HttpResponse<byte[]> stranger = tokenFor("mallory", "guess", "repository:team/app:pull");
        assertError(stranger, 401, "UNAUTHORIZED");
        assertEquals(List.of("-"), ghcr.tokenRequests("?"));
        // A user of the upstream gets no more of berth's private repositories than anonymous callers.
        TestClient carol = withToken("carol", CAROL_PASSWORD, both);
        assertError(carol.get("/v2/team/app/manifests/1"), 401, "UNAUTHORIZED");
        assertManifest(carol.get("/v2/busybox/manifests/latest"), busybox.manifest(), MediaTypes.OCI_MANIFEST);
    }

    @Test
    void anotherInstanceOfTheFleetHonoursTheTokenWithoutAskingAgain() throws Exception {
        MockHub.Image app = ghcr.image("org/app", "1", 5);
        String carolsToken = "Bearer " + json(tokenFor("carol", CAROL_PASSWORD, APP_SCOPE)).path("token").asText();
        String davesToken = "Bearer " + json(tokenFor("dave", DAVE_PASSWORD, APP_SCOPE)).path("token").asText();
        try (RunningBerth other = RunningBerth.start(root.resolve("other"), mirrorYaml(), clock)) {
            TestClient otherClient = other.client();
            assertManifest(otherClient.withAuthorization(carolsToken).get("/v2/ghcr.io/org/app/manifests/1"),
                    app.manifest(), MediaTypes.OCI_MANIFEST);
            assertRefusedWithChallenge(otherClient.withAuthorization(davesToken)
                    .get("/v2/ghcr.io/org/app/manifests/1"));
            awaitFillsStored(otherClient);
        }
        assertEquals(List.of("repository:org/app:pull"), ghcr.tokenRequests("carol"),
                "the instance that issued the token asked; the other took the token's word");
    }

    @Test
    void aDecisionIsRememberedForAccessTtlEvenWhileTheUpstreamIsDown() throws Exception {
        MockHub.Image app = ghcr.image("org/app", "1", 4);
        String manifest = "/v2/ghcr.io/org/app/manifests/1";
        assertManifest(withToken("carol", CAROL_PASSWORD, APP_SCOPE).get(manifest), app.manifest(),
                MediaTypes.OCI_MANIFEST);

        // Within access-ttl: the decision stands without asking, even with the token service down.
        clock.advance(Duration.ofSeconds(30));
        ghcr.tokenServiceDown(MockHub.status(503));
        assertManifest(withToken("carol", CAROL_PASSWORD, APP_SCOPE).get(manifest), app.manifest(),
                MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("repository:org/app:pull"), ghcr.tokenRequests("carol"));

        // Past it, berth must ask again: with the token service down, no token (503), and none granted meanwhile.
        clock.advance(ACCESS_TTL);
        HttpResponse<byte[]> revoked;
        try (LogCapture log = LogCapture.of(CallerAccess.class.getName())) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> down = tokenFor("carol", CAROL_PASSWORD, APP_SCOPE);
                assertError(down, 503, "UNAVAILABLE");
                assertTrue(json(down).path("errors").path(0).path("message").asText().startsWith(
                        "ghcr.io could not tell whether a caller's login may pull: token service"),
                        new String(down.body()));
            }
            List<String> warnings = log.messages(Level.WARNING);
            assertEquals(1, warnings.size(), warnings::toString);
            assertTrue(warnings.getFirst().startsWith("upstream ghcr.io cannot tell whether callers may pull"),
                    warnings.getFirst());
            assertFalse(log.text().contains(CAROL_PASSWORD), "a password in the log");

            // The upstream back, having taken carol's right away: the next decision says so.
            ghcr.tokenServiceRecovers();
            ghcr.user("carol", CAROL_PASSWORD);
            revoked = tokenFor("carol", CAROL_PASSWORD, APP_SCOPE);
            assertEquals(List.of("upstream ghcr.io answers berth's checks of callers' logins again"),
                    log.messages(Level.INFO));
        }
        assertEquals(200, revoked.statusCode(), new String(revoked.body()));
        assertEquals(List.of(), access(revoked));
        assertRefusedWithChallenge(client.withAuthorization("Bearer " + json(revoked).path("token").asText())
                .get(manifest));
        assertEquals(4, ghcr.tokenRequests("carol").size(), ghcr.tokenRequests("carol")::toString);
    }
}
