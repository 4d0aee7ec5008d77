package dev.berth.it;

import static dev.berth.support.OciLayoutAssertions.assertSameBlobs;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.ExternalCommand;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.Poll;
import dev.berth.support.RegistryTokenServer;
import dev.berth.support.RunningBerth;
import dev.berth.support.Skopeo;
import dev.berth.support.TestClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code access: caller} against distribution's own token auth: a docker-registry that trusts only the tokens of a
 * token service started here (ES256 JWTs whose {@code x5c} chain ends at the registry's root certificate), which
 * gives two users different repositories. berth mirrors the registry with a login of its own and lets skopeo pull
 * through it only what the token service grants the login skopeo brings; the decision lasts {@code access-ttl}, also
 * while the token service is down, and berth's own accounts keep their private repository and another upstream.
 */
class CallerAccessTokenServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough for a few skopeo runs to fit in it on a loaded machine, short enough to wait out twice. */
    private static final Duration ACCESS_TTL = Duration.ofSeconds(15);
    private static final Set<String> PULL = Set.of("pull");
    private static final String BOT_PASSWORD = "berth-bot-at-the-registry";
    private static final String ANNA_PASSWORD = "anna-at-the-registry";
    private static final String BEN_PASSWORD = "ben-at-the-registry";
    private static final String APP_SCOPE = "repository:private.example/org/app:pull";
    private static final String LIB_SCOPE = "repository:private.example/org/lib:pull";

    @TempDir
    Path work;

    @Test
    void theRegistrysTokenServiceDecidesWhoPullsWhatBerthCachedOfIt() throws Exception {
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 24);
        OciLayoutBuilder.Image app = layout.image("amd64", 2, 3000);
        OciLayoutBuilder.Image lib = layout.image("amd64", 1, 2000);
        OciLayoutBuilder.Image tools = layout.image("amd64", 1, 2500);
        OciLayoutBuilder.Image tool = layout.image("amd64", 1, 1500);
        OciLayoutBuilder.Image team = layout.image("amd64", 1, 1000);
        layout.tag("app", app.manifest()).tag("lib", lib.manifest()).tag("tools", tools.manifest())
                .tag("tool", tool.manifest()).tag("team", team.manifest());

        try (RegistryTokenServer tokens = RegistryTokenServer.start(work.resolve("tokens"));
             DistributionRegistry upstream = DistributionRegistry.startWithTokens(work.resolve("upstream"), tokens);
             DistributionRegistry plain = DistributionRegistry.start(work.resolve("plain"))) {
            tokens.user("berth-bot", BOT_PASSWORD, Set.of("pull", "push"), "org/app", "org/lib", "org/tools");
            tokens.user("anna", ANNA_PASSWORD, PULL, "org/app", "org/lib");
            tokens.user("ben", BEN_PASSWORD, PULL, "org/tools");
            Skopeo bot = Skopeo.find().loggedInAs("berth-bot", BOT_PASSWORD);
            for (String name : List.of("app", "lib", "tools")) {
                bot.copy("oci:" + input + ":" + name, "docker://" + upstream.hostPort() + "/org/" + name + ":1",
                        "--preserve-digests");
            }
            // The registry lets in nobody without the token service's word.
            assertNotEquals(0, Skopeo.find().tryInspect("docker://" + upstream.hostPort() + "/org/app:1").exitCode());
            Skopeo.find().copy("oci:" + input + ":tool", "docker://" + plain.hostPort() + "/lib/tool:1",
                    "--preserve-digests");

            String yaml = "mirror:\n  upstreams:\n"
                    + "    - {registry: private.example, url: '" + upstream.url() + "', username: berth-bot, password: "
                    + BOT_PASSWORD + ", access: caller, access-ttl: " + ACCESS_TTL.toSeconds() + "s}\n"
                    + "    - {registry: plain.example, url: '" + plain.url() + "'}\n"
                    + "private:\n  repositories: ['team/*']\n"
                    + Htpasswd.aliceAndBobWithRules(work, "{repositories: ['team/*'], pull: [alice], push: [alice]}");
            try (RunningBerth berth = RunningBerth.start(work.resolve("data"), yaml)) {
                String mirror = "docker://127.0.0.1:" + berth.port() + "/private.example/org/";
                Skopeo anna = Skopeo.find().loggedInAs("anna", ANNA_PASSWORD);
                Skopeo ben = Skopeo.find().loggedInAs("ben", BEN_PASSWORD);
                Skopeo alice = Skopeo.find().loggedInAs("alice", Htpasswd.ALICE_PASSWORD);
                alice.copy("oci:" + input + ":team", "docker://127.0.0.1:" + berth.port() + "/team/app:1",
                        "--preserve-digests");

                // anna may pull org/app there: she pulls it through berth, byte for byte.
                Path annasApp = work.resolve("annas-app");
                anna.copy(mirror + "app:1", "oci:" + annasApp + ":1", "--preserve-digests");
                assertSameBlobs(input, annasApp, app);
                assertEquals(List.of(List.of("repository:org/app:pull")), tokens.asked("anna"),
                        "berth asked the token service once, with anna's login, for the name there");

                // The token service takes org/app back from anna: within access-ttl berth keeps its decision.
                tokens.user("anna", ANNA_PASSWORD, PULL, "org/lib");
                assertEquals(0, anna.tryInspect(mirror + "app:1").exitCode());
                assertEquals(1, tokens.asked("anna").size(), tokens.asked("anna")::toString);

                // ben's login is good there, but not for org/app: refused, with the reason; his own org/tools pulls.
                ExternalCommand.Result refused = ben.tryInspect(mirror + "app:1");
                assertNotEquals(0, refused.exitCode());
                assertTrue(refused.stderr().contains("to pull private.example/org/app, log in to berth with your own"
                        + " private.example user name and password (or token): private.example decides who may pull"
                        + " it"), refused.stderr());
                Path bensTools = work.resolve("bens-tools");
                ben.copy(mirror + "tools:1", "oci:" + bensTools + ":1", "--preserve-digests");
                assertSameBlobs(input, bensTools, tools);
                assertTrue(tokens.asked("ben").contains(List.of("repository:org/app:pull")),
                        tokens.asked("ben")::toString);
                assertTrue(tokens.asked("ben").contains(List.of("repository:org/tools:pull")),
                        tokens.asked("ben")::toString);

                // berth's own account gets nothing of it, and its password never goes to the token service.
                List<List<String>> strangers = tokens.asked("?");
                ExternalCommand.Result alicesApp = alice.tryInspect(mirror + "app:1");
                assertNotEquals(0, alicesApp.exitCode());
                assertTrue(alicesApp.stderr().contains("log in to berth with your own private.example user name"),
                        alicesApp.stderr());
                assertEquals(List.of(), tokens.asked("alice"));
                assertEquals(strangers, tokens.asked("?"));

                // Past access-ttl berth asks again, and anna's pull of org/app ends.
                TestClient client = berth.client();
                Poll.until(() -> granted(client, "anna", ANNA_PASSWORD, APP_SCOPE).isEmpty(),
                        "berth to ask again after access-ttl", ACCESS_TTL.plusSeconds(20));
                assertEquals(2, tokens.asked("anna").size(), tokens.asked("anna")::toString);
                ExternalCommand.Result taken = anna.tryInspect(mirror + "app:1");
                assertNotEquals(0, taken.exitCode());
                assertTrue(taken.stderr().contains("log in to berth with your own private.example user name"),
                        taken.stderr());

                // A fresh decision for org/lib, then the token service stops: within access-ttl anna still pulls.
                Path annasLib = work.resolve("annas-lib");
                anna.copy(mirror + "lib:1", "oci:" + annasLib + ":1", "--preserve-digests");
                assertSameBlobs(input, annasLib, lib);
                tokens.stop();
                assertEquals(0, anna.tryInspect(mirror + "lib:1").exitCode());
                anna.copy(mirror + "lib:1", "oci:" + work.resolve("annas-lib-again") + ":1");

                // After it, a fresh question cannot be answered: 503, nothing granted on the old answer.
                Poll.until(() -> tokenAnswer(client, "anna", ANNA_PASSWORD, LIB_SCOPE).statusCode() != 200,
                        "berth to ask again after access-ttl", ACCESS_TTL.plusSeconds(20));
                HttpResponse<byte[]> down = tokenAnswer(client, "anna", ANNA_PASSWORD, LIB_SCOPE);
                assertEquals(503, down.statusCode(), new String(down.body()));
                JsonNode error = json(down).path("errors").path(0);
                assertEquals("UNAVAILABLE", error.path("code").asText());
                assertTrue(error.path("message").asText().startsWith("private.example did not answer berth's check"
                        + " of a caller's login in time"), error.toString());
                ExternalCommand.Result unanswered = anna.tryInspect(mirror + "lib:1");
                assertNotEquals(0, unanswered.exitCode());
                // skopeo prints the status of a token request, not its body.
                assertTrue(unanswered.stderr().contains(
                        "Requesting bearer token: invalid status code from registry 503"), unanswered.stderr());

                // An unanswered question is no failed login: anna retrying through the outage does not slow down
                // logins from her address, so berth's own account there is neither held back nor refused (429).
                for (int i = 0; i < 6; i++) {
                    assertEquals(503, tokenAnswer(client, "anna", ANNA_PASSWORD, LIB_SCOPE).statusCode());
                }
                List<CompletableFuture<HttpResponse<byte[]>>> alicesLogins = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    alicesLogins.add(CompletableFuture.supplyAsync(() -> tokenAnswer(client, "alice",
                            Htpasswd.ALICE_PASSWORD, "repository:team/app:pull")));
                }
                for (CompletableFuture<HttpResponse<byte[]>> login : alicesLogins) {
                    HttpResponse<byte[]> answer = login.get(30, TimeUnit.SECONDS);
                    assertEquals(200, answer.statusCode(), new String(answer.body()));
                }

                // berth's own account still pulls its private repository and the other upstream, token service or
                // not; the upstream login gets nothing of berth's private repository.
                Path alicesTeam = work.resolve("alices-team");
                alice.copy("docker://127.0.0.1:" + berth.port() + "/team/app:1", "oci:" + alicesTeam + ":1",
                        "--preserve-digests");
                assertSameBlobs(input, alicesTeam, team);
                Path alicesTool = work.resolve("alices-tool");
                alice.copy("docker://127.0.0.1:" + berth.port() + "/plain.example/lib/tool:1",
                        "oci:" + alicesTool + ":1", "--preserve-digests");
                assertSameBlobs(input, alicesTool, tool);
                assertNotEquals(0, ben.tryInspect("docker://127.0.0.1:" + berth.port() + "/team/app:1").exitCode());

                // Each blob came from the registry once, by berth's one fetch, whoever pulled it how often.
                for (OciLayoutBuilder.Image image : List.of(app, lib, tools)) {
                    for (OciLayoutBuilder.Blob blob : image.blobs()) {
                        assertEquals(1, upstream.requests().stream().filter(r -> r.method().equals("GET")
                                && r.status() == 200 && r.path().endsWith("/blobs/" + blob.digest())).count(),
                                upstream.requests()::toString);
                    }
                }
            }
        }
    }

    /** The token endpoint's answer to {@code user} asking for {@code scope}. */
    private static HttpResponse<byte[]> tokenAnswer(TestClient client, String user, String password, String scope) {
        return client.withBasic(user, password).get("/auth/token?service=berth&scope=" + scope);
    }

    /** The repositories whose pull berth's token grants {@code user} asking for {@code scope} (which must succeed). */
    private static List<String> granted(TestClient client, String user, String password, String scope) {
        HttpResponse<byte[]> answer = tokenAnswer(client, user, password, scope);
        assertEquals(200, answer.statusCode(), () -> new String(answer.body()));
        String payload = json(answer).path("token").asText().split("\\.")[1];
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode entry : JSON.readTree(Base64.getUrlDecoder().decode(payload)).path("access")) {
                names.add(entry.path("name").asText());
            }
        } catch (IOException e) {
            throw new AssertionError("berth's token is no JWT", e);
        }
        return names;
    }
}
