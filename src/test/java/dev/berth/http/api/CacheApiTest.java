package dev.berth.http.api;

import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.support.AdminContent;
import dev.berth.support.Poll;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/cache}: the budget, the traffic the pulls made, and the upstream's state, for every visitor. */
class CacheApiTest {
    @TempDir
    Path dir;

    @Test
    void statisticsCountThePullsAndShowTheBudgetAndUpstream() {
        try (AdminContent content = AdminContent.start(dir, "cache: {max-bytes: 10MiB}\n")) {
            HttpResponse<byte[]> r = content.client().get("/api/v1/cache");
            assertEquals(200, r.statusCode(), new String(r.body()));
            JsonNode stats = json(r);
            assertEquals(10L * 1024 * 1024, stats.path("budgetBytes").asLong());
            JsonNode traffic = stats.path("traffic");
            // Cold pulls: the index, the amd64 manifest and its two blobs, alpine's manifest and two blobs.
            assertEquals(7, traffic.path("misses").asLong(), traffic.toString());
            assertEquals(0, traffic.path("hits").asLong(), traffic.toString());
            assertTrue(traffic.path("fetchedBytes").asLong() > 60_000, traffic.toString());

            content.client().get("/v2/library/alpine/manifests/3");
            JsonNode after = json(content.client().get("/api/v1/cache"));
            assertEquals(1, after.path("traffic").path("hits").asLong());
            JsonNode upstream = after.path("upstreams").get(0);
            assertEquals("docker.io", upstream.path("registry").asText());
            assertTrue(upstream.path("answering").asBoolean());
            assertTrue(upstream.path("rateLimitRemaining").isNull(), "docker-registry sends no rate limit");
            assertEquals(1, upstream.path("traffic").path("hits").asLong());
            assertTrue(after.path("evictions").isArray() && after.path("collections").isArray());
        }
    }

    /** Pulls past a small budget call an early round (not the minute's): it shows as an eviction, with the usage left. */
    @Test
    void anEvictingRoundShowsInTheHistory() throws InterruptedException {
        try (AdminContent content = AdminContent.start(dir, "cache: {max-bytes: 30KiB}\n")) {
            Poll.until(() -> !json(content.client().get("/api/v1/cache")).path("evictions").isEmpty(),
                    "an eviction round");
            JsonNode stats = json(content.client().get("/api/v1/cache"));
            JsonNode round = stats.path("evictions").get(0);
            assertTrue(round.path("evicted").asInt() > 0 && round.path("bytes").asLong() > 0, round.toString());
            assertTrue(round.path("usedBytes").asLong() > 30 * 1024, round.toString());
            assertTrue(stats.path("usedBytes").asLong() <= 30 * 1024, stats.toString());
            assertFalse(stats.path("countedAt").isNull(), stats.toString());
        }
    }
}
