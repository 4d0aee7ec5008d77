package dev.berth.http.api;

import dev.berth.admin.CacheStatistics;
import dev.berth.admin.CacheTally;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code GET /api/v1/cache}: the cache's statistics. Open to every caller, as {@code /observe/metrics} is: it names
 * upstreams and counts, never a repository.
 */
public final class CacheResource implements ApiResource {
    private final CacheStatistics statistics;

    public CacheResource(CacheStatistics statistics) {
        this.statistics = statistics;
    }

    @Override
    public void routes(ApiRoutes routes) {
        routes.get("/cache", (call, res) -> ApiJson.send(res, body(statistics.report())));
    }

    private static Map<String, Object> body(CacheStatistics.Report report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("usedBytes", report.usage().map(u -> (Object) u.bytes()).orElse(null));
        body.put("countedAt", report.usage().map(u -> u.at().toString()).orElse(null));
        body.put("budgetBytes", orNull(report.budget()));
        body.put("traffic", traffic(report.traffic()));
        body.put("upstreams", report.upstreams().stream().map(u -> {
            Map<String, Object> upstream = new LinkedHashMap<>();
            upstream.put("registry", u.registry());
            upstream.put("answering", u.answering());
            upstream.put("problem", u.problem().orElse(null));
            upstream.put("rateLimitRemaining", orNull(u.rateLimitRemaining()));
            upstream.put("traffic", traffic(u.traffic()));
            return upstream;
        }).toList());
        body.put("evictions", report.evictions().stream().map(e -> Map.of("at", e.at().toString(),
                "evicted", e.evicted(), "bytes", e.bytes(), "usedBytes", e.usedBytes())).toList());
        body.put("collections", report.collections().stream().map(c -> Map.of("at", c.at().toString(),
                "links", c.links(), "blobs", c.blobs(), "bytes", c.bytes())).toList());
        return body;
    }

    private static Map<String, Object> traffic(CacheTally.Totals totals) {
        Map<String, Object> traffic = new LinkedHashMap<>();
        traffic.put("hits", totals.hits());
        traffic.put("misses", totals.misses());
        long requests = totals.hits() + totals.misses();
        traffic.put("hitRatio", requests == 0 ? null : (double) totals.hits() / requests);
        traffic.put("hitBytes", totals.hitBytes());
        traffic.put("fetchedBytes", totals.fetchedBytes());
        return traffic;
    }

    private static Object orNull(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }
}
