package dev.berth.http.api;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.Htpasswd;
import dev.berth.support.MutableClock;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retention.rules} and {@code immutable} as clients see them: the dry run of {@code /api/v1/retention} first,
 * then a round that removes just that, tags, manifests and (with the collection after it) blobs; and immutable tags
 * that neither a push nor a delete through /v2 moves, but an administrator deletes through /api/v1.
 */
class RetentionApiTest {
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.now());
    private RunningBerth berth;
    private TestClient alice;
    private TestClient bob;

    @BeforeEach
    void start() {
        // No upstream: every repository is private. alice administers; bob pushes and deletes.
        berth = RunningBerth.start(dir.resolve("data"), Htpasswd.aliceAndBobWithRules(dir,
                "{repositories: ['*'], pull: ['*'], push: ['*'], delete: ['*'], admin: [alice]}") + """
                retention:
                  rules:
                    - {repositories: [team/scratch], keep-last: 0}
                    - {repositories: ['team/*'], keep-last: 3, keep-tags: [latest], untagged-after: 7d}
                    - {repositories: ['nothing/*'], keep-last: 1}
                immutable:
                  - {repositories: ['team/*'], tags: ['v*']}
                audit: {path: '%s'}
                """.formatted(dir.resolve("audit.jsonl")), clock);
        alice = berth.client().withBasic("alice", Htpasswd.ALICE_PASSWORD);
        bob = berth.client().withBasic("bob", Htpasswd.BOB_PASSWORD);
    }

    @AfterEach
    void stop() {
        berth.close();
    }

    /** Image number {@code n}: a config and a 5,000-byte layer of its own; its manifest. */
    private byte[] push(String repo, String reference, int n) {
        return bob.pushImage(repo, reference, config(n), TestData.bytes(5_000, n));
    }

    private static byte[] config(int n) {
        return TestData.utf8("{\"image\":" + n + "}");
    }

    private static String layer(int n) {
        return TestData.digest(TestData.bytes(5_000, n));
    }

    private static JsonNode ok(HttpResponse<byte[]> r) {
        assertEquals(200, r.statusCode(), new String(r.body()));
        return json(r);
    }

    private static JsonNode repository(JsonNode report, String name) {
        for (JsonNode plan : report.path("repositories")) {
            if (plan.path("name").asText().equals(name)) {
                return plan;
            }
        }
        throw new AssertionError("no plan for " + name + " in " + report);
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(field.isEmpty() ? item.asText() : item.path(field).asText()));
        return texts;
    }

    private List<String> tags(String repo) {
        return texts(ok(bob.get("/v2/" + repo + "/tags/list")).path("tags"), "");
    }

    @Test
    void theDryRunShowsWhatTheRoundThenRemovesAndTheCollectionFreesTheBlobs() throws Exception {
        String release = TestData.digest(push("team/app", "v1.0.0", 0));
        String latest = TestData.digest(push("team/app", "latest", 1));
        List<String> builds = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            builds.add(TestData.digest(push("team/app", "build-" + i, 10 + i)));
        }
        String untagged = TestData.digest(TestData.ociManifest(config(20), TestData.bytes(5_000, 20)));
        push("team/app", untagged, 20);
        push("team/scratch", "1", 30);

        JsonNode now = ok(alice.get("/api/v1/retention"));
        assertTrue(now.path("configured").asBoolean());
        assertTrue(now.path("lastRound").isNull(), "no round yet");
        JsonNode app = repository(now.path("dryRun"), "team/app");
        assertEquals(1, app.path("rule").asInt());
        assertEquals(List.of("build-6", "build-5", "build-4", "latest", "v1.0.0"), texts(app.path("keptTags"), "tag"),
                "the 3 newest, latest by keep-tags, v1.0.0 as immutable");
        assertEquals(List.of("build-3", "build-2", "build-1"), texts(app.path("removedTags"), "tag"));
        assertEquals(List.of(), texts(app.path("removedManifests"), ""), "pushed less than untagged-after ago");
        assertEquals(List.of("every tag of team/scratch goes"),
                texts(repository(now.path("dryRun"), "team/scratch").path("warnings"), ""));
        assertEquals(List.of("retention.rules.1 ([team/*]) matches every private repository (2)",
                "retention.rules.2 ([nothing/*]) matches no private repository that an earlier rule does not"),
                texts(now.path("dryRun").path("warnings"), ""), "rules that match everything or nothing");
        assertEquals(8, tags("team/app").size(), "a dry run removes nothing");

        clock.advance(Duration.ofDays(8));
        JsonNode later = ok(alice.get("/api/v1/retention")).path("dryRun");
        List<String> gone = new ArrayList<>(builds.subList(0, 3));
        gone.add(untagged);
        assertEquals(gone.stream().sorted().toList(),
                texts(repository(later, "team/app").path("removedManifests"), "").stream().sorted().toList(),
                "the images of the removed tags, and the one no tag named");
        assertEquals(202, alice.send("POST", "/api/v1/retention/rounds", null).statusCode());
        Poll.until(() -> !ok(alice.get("/api/v1/retention")).path("lastRound").isNull(), "the retention round");

        JsonNode round = ok(alice.get("/api/v1/retention")).path("lastRound");
        assertEquals(texts(repository(later, "team/app").path("removedTags"), "tag"),
                texts(repository(round, "team/app").path("removedTags"), "tag"), "the round removed what was shown");
        assertEquals(List.of("build-4", "build-5", "build-6", "latest", "v1.0.0"), tags("team/app"));
        for (int i = 0; i < 3; i++) {
            assertError(bob.get("/v2/team/app/manifests/build-" + (i + 1)), 404, "MANIFEST_UNKNOWN");
            assertError(bob.get("/v2/team/app/manifests/" + builds.get(i)), 404, "MANIFEST_UNKNOWN");
            assertError(bob.get("/v2/team/app/blobs/" + layer(11 + i)), 404, "BLOB_UNKNOWN");
            assertFalse(Files.exists(blobFile(layer(11 + i))), "the collection after the round freed build-" + (i + 1));
        }
        assertError(bob.get("/v2/team/app/manifests/" + untagged), 404, "MANIFEST_UNKNOWN");
        assertEquals(200, bob.get("/v2/team/app/manifests/" + release, "Accept", MANIFEST).statusCode());
        assertEquals(200, bob.get("/v2/team/app/manifests/" + latest, "Accept", MANIFEST).statusCode());
        assertEquals(200, bob.get("/v2/team/app/blobs/" + layer(16)).statusCode());
        assertTrue(Files.exists(blobFile(layer(14))));
        assertEquals(List.of(), tags("team/scratch"), "keep-last: 0 and no keep-tags: every tag goes");
        assertError(bob.get("/v2/team/scratch/blobs/" + layer(30)), 404, "BLOB_UNKNOWN");

        // Each removal is a delete in the audit trail (and so in notifications), by the round itself.
        List<String> removals = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            removals.add("team/app build-" + (i + 1) + " " + builds.get(i));
            removals.add("team/app - " + builds.get(i));
        }
        removals.add("team/app - " + untagged);
        Poll.until(() -> retentionDeletes().containsAll(removals), "the round's deletes in the audit trail");
        assertEquals(removals.size() + 2, retentionDeletes().size(), "and team/scratch's tag and image: "
                + retentionDeletes());
    }

    /** The audit trail's deletes by the retention round, as {@code repository tag digest} ({@code -}: no tag). */
    private List<String> retentionDeletes() {
        List<String> deletes = new ArrayList<>();
        Path audit = dir.resolve("audit.jsonl");
        try {
            for (String line : Files.exists(audit) ? Files.readAllLines(audit) : List.<String>of()) {
                JsonNode entry = new ObjectMapper().readTree(line);
                if (entry.path("action").asText().equals("delete")
                        && entry.path("actor").asText().equals("berth:retention")) {
                    deletes.add(entry.path("repository").asText() + " " + entry.path("tag").asText("-") + " "
                            + entry.path("digest").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return deletes;
    }

    private Path blobFile(String digest) {
        String hex = digest.substring("sha256:".length());
        return dir.resolve("data/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    @Test
    void onlyAdministratorsSeeOrRunRetention() {
        assertApiError(berth.client().get("/api/v1/retention"), 401, "UNAUTHORIZED");
        assertApiError(bob.get("/api/v1/retention"), 403, "FORBIDDEN");
        assertApiError(bob.send("POST", "/api/v1/retention/rounds", null), 403, "FORBIDDEN");
    }

    @Test
    void anImmutableTagNeitherMovesNorGoesExceptByAnAdministrator() {
        byte[] first = push("team/app", "v1.2.0", 1);
        assertEquals(201, bob.putManifest("team/app", "v1.2.0", first, MANIFEST).statusCode(),
                "the same digest again is no move");
        push("team/app", "other", 2);
        byte[] second = TestData.ociManifest(config(2), TestData.bytes(5_000, 2));

        HttpResponse<byte[]> moved = bob.putManifest("team/app", "v1.2.0", second, MANIFEST);
        assertError(moved, 403, "DENIED");
        assertEquals("tag v1.2.0 of team/app is immutable", json(moved).path("errors").get(0).path("message").asText(),
                "what docker push prints after denied:");
        assertEquals(TestData.digest(first), bob.head("/v2/team/app/manifests/v1.2.0", "Accept", MANIFEST).headers()
                .firstValue("Docker-Content-Digest").orElse(""));

        assertError(bob.delete("/v2/team/app/manifests/v1.2.0"), 403, "DENIED");
        assertError(alice.delete("/v2/team/app/manifests/" + TestData.digest(first)), 403, "DENIED");
        assertTrue(json(alice.delete("/v2/team/app/manifests/v1.2.0")).path("errors").get(0).path("message").asText()
                .startsWith("tag v1.2.0 of team/app is immutable: only an administrator deletes it"));
        assertEquals(List.of("other", "v1.2.0"), tags("team/app"));
        assertEquals(202, bob.delete("/v2/team/app/manifests/other").statusCode(), "other tags are not immutable");

        assertApiError(bob.send("DELETE", "/api/v1/repositories/team/app/tags/v1.2.0", null), 403, "FORBIDDEN");
        assertEquals(204, alice.send("DELETE", "/api/v1/repositories/team/app/tags/v1.2.0", null).statusCode());
        assertEquals(201, bob.putManifest("team/app", "v1.2.0", second, MANIFEST).statusCode(),
                "once deleted, the tag is pushed anew");
    }
}
