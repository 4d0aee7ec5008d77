package dev.berth.it;

import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.MutableClock;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.Skopeo;
import dev.berth.support.TestClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo pushes 30 builds and a release of {@code team/app} into berth; the dry run shows what {@code retention.rules}
 * would remove, a round removes just that, and skopeo then finds the kept tags only. A push that would move the
 * immutable release tag fails with berth's message, as does skopeo's delete of it.
 */
class RetentionTest {
    private static final int BUILDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void aRoundOverThirtyTagsKeepsWhatTheRulesSayShownFirstByTheDryRun() throws Exception {
        Skopeo skopeo = Skopeo.find();
        Path layout = work.resolve("layout");
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, 7);
        List<Image> builds = new ArrayList<>();
        for (int i = 0; i <= BUILDS; i++) {
            builds.add(builder.image("amd64", 1, 4096));
            builder.tag("image-" + i, builds.get(i).manifest());
        }
        MutableClock clock = new MutableClock(Instant.now());
        // Without auth.htpasswd, a caller on berth's own host administers.
        try (RunningBerth berth = RunningBerth.start(work.resolve("data"), """
                retention:
                  rules:
                    - {repositories: ['team/*'], keep-last: 10, keep-tags: ['v*'], untagged-after: 1d}
                immutable:
                  - {repositories: ['team/*'], tags: ['v*']}
                """, clock)) {
            String app = "docker://127.0.0.1:" + berth.port() + "/team/app:";
            skopeo.copy("oci:" + layout + ":image-0", app + "v1.0.0");
            for (int i = 1; i <= BUILDS; i++) {
                skopeo.copy("oci:" + layout + ":image-" + i, app + build(i));
            }
            TestClient admin = berth.client();

            clock.advance(Duration.ofDays(2));
            JsonNode plan = json(admin.get("/api/v1/retention")).path("dryRun").path("repositories").path(0);
            List<String> kept = new ArrayList<>();
            for (int i = BUILDS; i > BUILDS - 10; i--) {
                kept.add(build(i));
            }
            kept.add("v1.0.0");
            assertEquals(kept, texts(plan.path("keptTags"), "tag"), plan::toString);
            assertEquals(BUILDS - 10, plan.path("removedTags").size());
            List<String> gone = builds.subList(1, BUILDS - 9).stream().map(image -> image.manifest().digest())
                    .sorted().toList();
            assertEquals(gone, texts(plan.path("removedManifests"), "").stream().sorted().toList());
            assertEquals(BUILDS + 1, tags(skopeo, berth).size(), "nothing removed yet");

            assertEquals(202, admin.send("POST", "/api/v1/retention/rounds", null).statusCode());
            Poll.until(() -> !json(admin.get("/api/v1/retention")).path("lastRound").isNull(), "the round",
                    Duration.ofSeconds(60));
            assertEquals(new TreeSet<>(kept), new TreeSet<>(tags(skopeo, berth)));
            Result removed = skopeo.tryInspect(app + build(5));
            assertNotEquals(0, removed.exitCode());
            assertTrue(removed.stderr().contains("manifest unknown"), removed.stderr());
            HttpResponse<byte[]> layer = admin.get("/v2/team/app/blobs/" + builds.get(5).layers().getFirst().digest());
            assertEquals(404, layer.statusCode(), "the collection after the round freed the layers of build-05");
            assertEquals(200, admin.get("/v2/team/app/blobs/" + builds.get(BUILDS).layers().getFirst().digest())
                    .statusCode());

            Result moved = skopeo.run(List.of("copy", "--dest-tls-verify=false", "oci:" + layout + ":image-1",
                    app + "v1.0.0"));
            assertNotEquals(0, moved.exitCode());
            assertTrue(moved.stderr().contains("denied: tag v1.0.0 of team/app is immutable"), moved.stderr());
            Result deleted = skopeo.run(List.of("delete", "--tls-verify=false", app + "v1.0.0"));
            assertNotEquals(0, deleted.exitCode());
            assertTrue(deleted.stderr().contains("tag v1.0.0 of team/app is immutable"), deleted.stderr());
            assertEquals(builds.getFirst().manifest().digest(), admin.head("/v2/team/app/manifests/v1.0.0", "Accept",
                    OciLayoutBuilder.OCI_MANIFEST).headers().firstValue("Docker-Content-Digest").orElse(""));
        }
    }

    private static String build(int i) {
        return "build-%02d".formatted(i);
    }

    private static List<String> tags(Skopeo skopeo, RunningBerth berth) throws Exception {
        JsonNode list = JSON.readTree(skopeo.listTags("docker://127.0.0.1:" + berth.port() + "/team/app"));
        return texts(list.path("Tags"), "");
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(field.isEmpty() ? item.asText() : item.path(field).asText()));
        return texts;
    }
}
