package dev.berth.events;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.Closing;
import dev.berth.support.Htpasswd;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.Scrape;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** audit.path as security reads it: one JSON line per act, who, from where, with what result; never in a pull's way. */
class AuditTrailTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    Path dir;
    @RegisterExtension
    final Closing open = new Closing();

    @Test
    void eachActIsOneLineWithWhoFromWhereAndTheResult() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        RunningBerth berth = start(trail.toString());
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        TestClient bob = berth.client().withBasic("bob", BOB_PASSWORD);
        byte[] config = TestData.utf8("{}");
        byte[] layer = TestData.bytes(5000, 1);

        byte[] manifest = alice.pushImage("team/app", "1", config, layer);
        String digest = TestData.digest(manifest);
        assertEquals(200, bob.get("/v2/team/app/manifests/1", "Accept", OCI_MANIFEST).statusCode());
        assertEquals(200, bob.get("/v2/team/app/blobs/" + TestData.digest(config)).statusCode());
        assertEquals(200, bob.get("/v2/team/app/blobs/" + TestData.digest(layer)).statusCode());
        assertEquals(403, bob.putManifest("team/app", "2", manifest, OCI_MANIFEST).statusCode());
        assertEquals(401, berth.client().get("/v2/team/app/manifests/1", "Accept", OCI_MANIFEST).statusCode());
        assertEquals(401, berth.client().withBasic("alice", "not her password").get("/v2/").statusCode());
        assertEquals(200, alice.get("/v2/").statusCode());
        assertEquals(202, alice.delete("/v2/team/app/manifests/" + digest).statusCode());

        Poll.until(() -> entries(alice, "action=delete").size() == 1, "the delete shown to the administrator");
        assertEquals(403, bob.get("/api/v1/audit").statusCode(), "bob administers nothing");
        List<JsonNode> failed = entries(alice, "action=login-failed");
        assertEquals(1, failed.size(), failed::toString);
        assertEquals("alice", failed.getFirst().path("actor").asText());
        assertEquals(2, entries(alice, "q=BOB").stream().filter(e -> e.path("action").asText().equals("pull")
                || e.path("action").asText().equals("push")).count(), "bob's pull and refused push");
        stop(berth);

        List<JsonNode> lines = lines(trail);
        JsonNode push = only(lines, "push", "ok");
        assertEquals("alice", push.path("actor").asText());
        assertEquals("127.0.0.1", push.path("client").asText());
        assertEquals("team/app", push.path("repository").asText());
        assertEquals("1", push.path("tag").asText());
        assertEquals(digest, push.path("digest").asText());
        Instant.parse(push.path("time").asText());

        JsonNode pull = only(lines, "pull", "ok");
        assertEquals("bob", pull.path("actor").asText());
        assertEquals(digest, pull.path("digest").asText());
        JsonNode blobs = only(lines, "blob-pull", "ok");
        assertEquals("bob", blobs.path("actor").asText());
        assertEquals(2, blobs.path("blobs").asInt(), "the pull's blobs are one line: " + blobs);
        assertEquals(config.length + layer.length, blobs.path("bytes").asLong());
        assertEquals(digest, blobs.path("digest").asText(), "summed under the manifest pulled");

        JsonNode refusedPush = only(lines, "push", "DENIED");
        assertEquals("bob", refusedPush.path("actor").asText());
        assertEquals("2", refusedPush.path("tag").asText());
        JsonNode anonymous = only(lines, "pull", "UNAUTHORIZED");
        assertEquals("anonymous", anonymous.path("actor").asText());
        JsonNode loginFailed = only(lines, "login-failed", "WRONG_PASSWORD");
        assertEquals("alice", loginFailed.path("actor").asText());
        assertEquals("127.0.0.1", loginFailed.path("client").asText());
        assertEquals("alice", only(lines, "login", "ok").path("actor").asText());
        JsonNode delete = only(lines, "delete", "ok");
        assertEquals("alice", delete.path("actor").asText());
        assertEquals(digest, delete.path("digest").asText());
        assertEquals(8, lines.size(), "nothing else: " + lines);
        assertFalse(Files.readString(trail).contains(ALICE_PASSWORD), "no secret is written");
    }

    @Test
    void theAdminApisDeletesAndPinsAreAuditedAsTheAdministrators() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        RunningBerth berth = start(trail.toString());
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        String digest = TestData.digest(alice.pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(10, 3)));
        alice.pushImage("team/app", "2", TestData.utf8("{}"), TestData.bytes(10, 4));

        assertEquals(204, alice.send("PUT", "/api/v1/repositories/team/app/pins/2", null).statusCode());
        assertEquals(204, alice.delete("/api/v1/repositories/team/app/pins/2").statusCode());
        assertEquals(204, alice.delete("/api/v1/repositories/team/app/tags/2").statusCode());
        assertEquals(204, alice.delete("/api/v1/repositories/team/app/manifests/" + digest).statusCode());
        stop(berth);

        List<JsonNode> lines = lines(trail);
        assertEquals("2", only(lines, "pin", "ok").path("tag").asText());
        assertEquals("alice", only(lines, "unpin", "ok").path("actor").asText());
        List<JsonNode> deletes = lines.stream().filter(l -> l.path("action").asText().equals("delete")).toList();
        assertEquals(2, deletes.size(), lines::toString);
        assertEquals("2", deletes.get(0).path("tag").asText());
        assertEquals(digest, deletes.get(1).path("digest").asText());
        assertTrue(deletes.stream().allMatch(d -> d.path("actor").asText().equals("alice")
                && d.path("repository").asText().equals("team/app")), deletes::toString);
    }

    @Test
    void accessTokensCreatedAndRevokedAreAuditedAsTheirCreators() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        RunningBerth berth = start(trail.toString());
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        assertEquals(201, alice.send("POST", "/api/v1/tokens", TestData.utf8("{\"name\": \"ci-app\", \"repositories\":"
                + " [\"team/*\"], \"actions\": [\"pull\"]}"), "Content-Type", "application/json").statusCode());
        assertEquals(204, alice.delete("/api/v1/tokens/ci-app").statusCode());
        stop(berth);

        List<JsonNode> lines = lines(trail);
        JsonNode created = only(lines, "token-created", "ok");
        assertEquals("ci-app", created.path("tag").asText(), "the token's name");
        assertEquals("alice", created.path("actor").asText());
        assertEquals("ci-app", only(lines, "token-revoked", "ok").path("tag").asText());
        assertFalse(lines.toString().contains("berth_"), "no secret in the trail");
    }

    @Test
    void signInsToThePageAreAuditedRefusedOnesToo() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        RunningBerth berth = start(trail.toString());
        String form = "application/x-www-form-urlencoded";

        assertEquals(303, berth.client().send("POST", "/ui/login", TestData.utf8("username=bob&password=guess"),
                "Content-Type", form).statusCode());
        assertEquals(303, berth.client().send("POST", "/ui/login", TestData.utf8("username=alice&password="
                + URLEncoder.encode(ALICE_PASSWORD, StandardCharsets.UTF_8)),
                "Content-Type", form).statusCode());
        stop(berth);

        List<JsonNode> lines = lines(trail);
        assertEquals("bob", only(lines, "login-failed", "WRONG_PASSWORD").path("actor").asText());
        assertEquals("alice", only(lines, "login", "ok").path("actor").asText());
        assertEquals(2, lines.size(), lines::toString);
        assertFalse(Files.readString(trail).contains("guess"), "no password is written");
    }

    @Test
    void behindATrustedProxyTheClientIsTheOneItForwardedFor() throws Exception {
        Path trail = dir.resolve("audit.jsonl");
        RunningBerth berth = start(trail.toString(), "  trusted-proxies: [127.0.0.1]\n");

        assertEquals(401, berth.client().send("GET", "/v2/", null, "Authorization", "Basic "
                + Base64.getEncoder().encodeToString(TestData.utf8("alice:wrong")),
                "X-Forwarded-For", "203.0.113.7").statusCode());
        stop(berth);

        assertEquals("203.0.113.7", only(lines(trail), "login-failed", "WRONG_PASSWORD").path("client").asText());
    }

    @Test
    void aFullDiskLosesAuditLinesCountedAndPullsGoOn() throws Exception {
        RunningBerth berth = start("/dev/full");
        TestClient alice = berth.client().withBasic("alice", ALICE_PASSWORD);
        byte[] layer = TestData.bytes(5000, 2);
        alice.pushImage("team/app", "1", TestData.utf8("{}"), layer);

        HttpResponse<byte[]> pulled = alice.get("/v2/team/app/manifests/1", "Accept", OCI_MANIFEST);
        assertEquals(200, pulled.statusCode());
        assertEquals(TestData.digest(layer), TestData.digest(alice.get("/v2/team/app/blobs/"
                + TestData.digest(layer)).body()));

        Poll.until(() -> Scrape.of(berth.client()).value("berth_audit_lost_lines_total", Map.of()) >= 2,
                "the push and the pull counted as lost");
    }

    private RunningBerth start(String auditPath) {
        return start(auditPath, "");
    }

    /** A berth with {@code authYaml} lines at the end of its {@code auth} section. */
    private RunningBerth start(String auditPath, String authYaml) {
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), Htpasswd.aliceAndBobWithRules(dir,
                "{repositories: ['team/*'], pull: ['*'], push: [alice], delete: [alice], admin: [alice]}")
                + authYaml + "private: {repositories: ['team/*']}\naudit: {path: '" + auditPath + "'}\n");
        open.add(berth);
        return berth;
    }

    private void stop(RunningBerth berth) {
        open.remove(berth);
        berth.close();
    }

    private static List<JsonNode> entries(TestClient admin, String query) {
        HttpResponse<byte[]> r = admin.get("/api/v1/audit?" + query);
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        try {
            List<JsonNode> entries = new ArrayList<>();
            JSON.readTree(r.body()).path("entries").forEach(entries::add);
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> lines(Path trail) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(trail)) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static JsonNode only(List<JsonNode> lines, String action, String result) {
        List<JsonNode> found = lines.stream().filter(l -> l.path("action").asText().equals(action)
                && l.path("result").asText().equals(result)).toList();
        assertEquals(1, found.size(), () -> action + " " + result + " in " + lines);
        return found.getFirst();
    }
}
