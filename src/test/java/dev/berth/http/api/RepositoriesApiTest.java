package dev.berth.http.api;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.support.AdminContent;
import dev.berth.support.Htpasswd;
import dev.berth.support.TestClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/repositories}: what each caller may see, search and paging, a repository's tags, and the
 * administrator's pins and deletes, against a berth with mirrored, multi-arch and private content.
 */
class RepositoriesApiTest {
    private static final String BUSYBOX = "docker.io/library/busybox";

    @TempDir
    Path dir;

    private AdminContent content;
    private TestClient anonymous;
    private TestClient alice;
    private TestClient bob;

    @BeforeEach
    void start() {
        content = AdminContent.start(dir, "");
        anonymous = content.client();
        alice = anonymous.withBasic("alice", Htpasswd.ALICE_PASSWORD);
        bob = anonymous.withBasic("bob", Htpasswd.BOB_PASSWORD);
    }

    @AfterEach
    void stop() {
        content.close();
    }

    private static JsonNode ok(HttpResponse<byte[]> r) {
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return json(r);
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.path("repositories").forEach(r -> names.add(r.path("name").asText()));
        return names;
    }

    @Test
    void eachCallerSeesOnlyWhatTheyMayPull() {
        JsonNode forAnonymous = ok(anonymous.get("/api/v1/repositories"));
        assertEquals(List.of("docker.io/library/alpine", BUSYBOX), names(forAnonymous));
        assertEquals(2, forAnonymous.path("total").asInt());
        JsonNode busybox = forAnonymous.path("repositories").get(1);
        assertFalse(busybox.path("private").asBoolean());
        assertEquals("docker.io", busybox.path("upstream").asText());

        assertEquals(List.of("docker.io/library/alpine", BUSYBOX, "team/app"),
                names(ok(bob.get("/api/v1/repositories"))));
        JsonNode forAlice = ok(alice.get("/api/v1/repositories"));
        assertEquals(List.of("docker.io/library/alpine", BUSYBOX, "team/app", "team/secret-db"), names(forAlice));
        JsonNode secret = forAlice.path("repositories").get(3);
        assertTrue(secret.path("private").asBoolean());
        assertTrue(secret.path("upstream").isNull());
    }

    @Test
    void searchAndPagesWalkTheListOnce() {
        assertEquals(List.of(BUSYBOX), names(ok(alice.get("/api/v1/repositories?q=BUSY"))));
        assertEquals(List.of("team/app", "team/secret-db"), names(ok(alice.get("/api/v1/repositories?q=team/"))));

        List<String> seen = new ArrayList<>();
        String last = "";
        for (int pages = 0; pages < 10; pages++) {
            JsonNode page = ok(alice.get("/api/v1/repositories?n=3&last=" + last));
            assertEquals(4, page.path("total").asInt());
            seen.addAll(names(page));
            if (page.path("next").isNull()) {
                break;
            }
            last = page.path("next").asText();
        }
        assertEquals(List.of("docker.io/library/alpine", BUSYBOX, "team/app", "team/secret-db"), seen);
        assertApiError(alice.get("/api/v1/repositories?n=many"), 400, "BAD_REQUEST");
    }

    @Test
    void tagsShowDigestSizePlatformsLastPullAndPins() {
        JsonNode page = ok(anonymous.get("/api/v1/repositories/" + BUSYBOX + "/tags"));
        assertEquals(BUSYBOX, page.path("name").asText());
        assertEquals("docker.io", page.path("upstream").asText());
        assertEquals(1, page.path("total").asInt());
        JsonNode tag = page.path("tags").get(0);
        assertEquals("1.36", tag.path("tag").asText());
        assertEquals(content.busyboxIndex, tag.path("digest").asText());
        assertEquals("application/vnd.oci.image.index.v1+json", tag.path("mediaType").asText());
        assertFalse(tag.path("lastPulled").isNull(), "pulled through berth: " + tag);
        assertFalse(tag.path("pinned").asBoolean());
        JsonNode platforms = tag.path("platforms");
        assertEquals("linux/amd64", platforms.get(0).path("platform").asText());
        assertEquals(content.busyboxAmd64, platforms.get(0).path("digest").asText());
        assertTrue(platforms.get(0).path("cached").asBoolean(), "amd64 was pulled");
        assertEquals("linux/arm64", platforms.get(1).path("platform").asText());
        assertFalse(platforms.get(1).path("cached").asBoolean(), "arm64 was not");
        // The index, and the amd64 image: its manifest, config and 40,000-byte layer.
        assertTrue(tag.path("size").asLong() > 40_000 && tag.path("size").asLong() < 41_500, tag.toString());

        JsonNode app = ok(bob.get("/api/v1/repositories/team/app/tags")).path("tags").get(0);
        assertTrue(app.path("lastPulled").isNull(), "private content is not tracked: " + app);
        assertTrue(app.path("platforms").isEmpty());
    }

    @Test
    void aRepositoryTheCallerMayNotPullIsHidden() {
        String path = "/api/v1/repositories/team/secret-db/tags";
        HttpResponse<byte[]> forAnonymous = anonymous.get(path);
        assertApiError(forAnonymous, 401, "UNAUTHORIZED");
        assertTrue(forAnonymous.headers().firstValue("WWW-Authenticate").isPresent());
        String refused = assertApiError(bob.get(path), 404, "NOT_FOUND");
        assertEquals(refused, assertApiError(bob.get("/api/v1/repositories/team/nothing/tags"), 404, "NOT_FOUND")
                .replace("team/nothing", "team/secret-db"), "a hidden repository looks like a missing one");
        assertEquals(1, ok(alice.get(path)).path("total").asInt());
    }

    @Test
    void pinsNeedAdminAndAreKeptInTheStore() {
        String pin = "/api/v1/repositories/" + BUSYBOX + "/pins/1.36";
        assertApiError(anonymous.send("PUT", pin, null), 401, "UNAUTHORIZED");
        assertApiError(bob.send("PUT", pin, null), 403, "FORBIDDEN");
        assertEquals(204, alice.send("PUT", pin, null).statusCode());
        assertTrue(Files.isRegularFile(dir.resolve("data/pins/" + BUSYBOX + "/_tags/1.36")));
        assertTrue(ok(bob.get("/api/v1/repositories/" + BUSYBOX + "/tags")).path("tags").get(0).path("pinned")
                .asBoolean());

        assertApiError(alice.send("PUT", "/api/v1/repositories/" + BUSYBOX + "/pins/9.9", null), 404, "NOT_FOUND");
        assertEquals(204, alice.send("DELETE", pin, null).statusCode());
        assertFalse(Files.exists(dir.resolve("data/pins/" + BUSYBOX + "/_tags/1.36")));
        assertApiError(alice.send("DELETE", pin, null), 404, "NOT_FOUND");
    }

    @Test
    void deletesRemoveATagOrAnImageAndNeedAdmin() {
        String tag = "/api/v1/repositories/docker.io/library/alpine/tags/3";
        assertApiError(bob.send("DELETE", tag, null), 403, "FORBIDDEN");
        assertEquals(204, alice.send("DELETE", tag, null).statusCode());
        assertEquals(0, ok(alice.get("/api/v1/repositories/docker.io/library/alpine/tags")).path("total").asInt());
        assertApiError(alice.send("DELETE", tag, null), 404, "NOT_FOUND");

        String digest = ok(alice.get("/api/v1/repositories/team/app/tags")).path("tags").get(0).path("digest").asText();
        assertEquals(204, alice.send("DELETE", "/api/v1/repositories/team/app/manifests/" + digest, null).statusCode());
        assertFalse(names(ok(alice.get("/api/v1/repositories"))).contains("team/app"), "gone from the list at once");
        assertEquals(404, alice.get("/v2/team/app/manifests/1").statusCode());
    }

    @Test
    void badPathsAreClearErrors() {
        assertApiError(alice.get("/api/v1/repositories/Not..A/Name/tags"), 400, "BAD_REQUEST");
        assertApiError(alice.send("DELETE", "/api/v1/repositories/team/app/manifests/sha256:nope", null), 400,
                "BAD_REQUEST");
        assertApiError(alice.get("/api/v1/repositories/team/app/layers"), 404, "NOT_FOUND");
        assertApiError(alice.send("PUT", "/api/v1/repositories/team/app/tags/1", null), 405, "METHOD_NOT_ALLOWED");
        assertApiError(alice.send("POST", "/api/v1/repositories", null), 405, "METHOD_NOT_ALLOWED");
    }
}
