package dev.berth.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.FreePort;
import dev.berth.support.MutableClock;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /observe/health}: UP normally, DOWN (503) while the data directory takes no writes, upstreams in details. */
class HealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private RunningBerth berth;

    @AfterEach
    void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void upWhileStorageTakesWritesDownWhileItDoesNotAndUpAgainAfter() throws IOException {
        TestClient client = start("");
        assertStatus(client, "/observe/health", 200, "UP");
        assertStatus(client, "/observe/health/ready", 200, "UP");
        assertEquals(true, storageCheck(client).path("data").path("writable").asBoolean(false));

        // Every new object starts in .tmp; a file in its place makes every write fail, even for root.
        Path tmp = root.resolve(".tmp");
        Files.delete(tmp);
        Files.writeString(tmp, "not a directory");
        assertStatus(client, "/observe/health", 200, "UP");
        clock.advance(StorageCheck.MAX_AGE);

        JsonNode down = assertStatus(client, "/observe/health", 503, "DOWN");
        assertEquals(false, storageCheck(client).path("data").path("writable").asBoolean(true), down::toString);
        assertStatus(client, "/observe/health/ready", 503, "DOWN");
        assertStatus(client, "/observe/health/live", 200, "UP");

        Files.delete(tmp);
        Files.createDirectory(tmp);
        clock.advance(StorageCheck.MAX_AGE);
        assertStatus(client, "/observe/health", 200, "UP");
    }

    @Test
    void healthAndMetricsSendOneCacheControlHeader() {
        TestClient client = start("");
        for (String path : List.of("/observe/health", "/observe/metrics")) {
            assertEquals(List.of("no-cache, no-store, must-revalidate, no-transform"),
                    client.get(path).headers().allValues("Cache-Control"), path);
        }
    }

    @Test
    void anUnreachableUpstreamShowsInTheDetailsButBerthStaysReady() throws IOException {
        // A loopback port free a moment ago: nothing listens, so the connection is refused at once.
        String unreachable = "127.0.0.1:" + FreePort.pick();
        TestClient client = start("mirror:\n  upstreams:\n    - {registry: docker.io, url: 'http://" + unreachable
                + "', default: true}\n");
        JsonNode before = check(assertStatus(client, "/observe/health", 200, "UP"), "upstreams");
        assertEquals("UP", before.path("data").path("docker.io").asText(), before::toString);

        assertEquals(503, client.get("/v2/busybox/manifests/latest").statusCode());

        JsonNode after = check(assertStatus(client, "/observe/health/ready", 200, "UP"), "upstreams");
        assertEquals("UP", after.path("status").asText(), "cached and private content is still served");
        String state = after.path("data").path("docker.io").asText();
        assertTrue(state.startsWith("DOWN: ") && state.contains(unreachable), state);
    }

    private TestClient start(String yaml) {
        berth = RunningBerth.start(root, yaml, clock);
        return berth.client();
    }

    private static JsonNode assertStatus(TestClient client, String path, int status, String health) throws IOException {
        HttpResponse<byte[]> response = client.get(path);
        JsonNode body = JSON.readTree(response.body());
        assertEquals(status, response.statusCode(), body::toString);
        assertEquals(health, body.path("status").asText(), body::toString);
        return body;
    }

    private static JsonNode storageCheck(TestClient client) throws IOException {
        return check(JSON.readTree(client.get("/observe/health").body()), "storage");
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals(name)) {
                return check;
            }
        }
        throw new AssertionError("no check " + name + " in " + health);
    }
}
