package dev.berth.http.api;

import dev.berth.registry.PushedTag;
import dev.berth.retention.RepositoryPlan;
import dev.berth.retention.Retention;
import dev.berth.retention.RetentionReport;
import io.helidon.http.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/retention}: {@code GET} is the dry run (what the next round would remove, removing nothing) beside
 * the last round this instance ran; {@code POST /api/v1/retention/rounds} runs a round now rather than at its time.
 * Administrators only; each sees the repositories they administer.
 */
public final class RetentionResource implements ApiResource {
    private final Retention retention;

    public RetentionResource(Retention retention) {
        this.retention = retention;
    }

    @Override
    public void routes(ApiRoutes routes) {
        routes.get("/retention", (call, res) -> {
            call.requireAdmin();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("configured", retention.configured());
            body.put("dryRun", report(call, retention.dryRun()));
            body.put("lastRound", retention.lastRound().map(r -> report(call, r)).orElse(null));
            ApiJson.send(res, body);
        });
        routes.post("/retention/rounds", (call, res) -> {
            call.requireAdmin();
            if (!retention.configured()) {
                throw new ApiException(ApiError.CONFLICT, "no retention.rules are configured: a round has nothing"
                        + " to do");
            }
            retention.roundSoon();
            ApiJson.send(res, Status.ACCEPTED_202, Map.of("status", "a retention round starts after any round"
                    + " under way; GET /api/v1/retention shows it as lastRound"));
        });
    }

    private static Map<String, Object> report(ApiCall call, RetentionReport report) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("at", report.at().toString());
        map.put("warnings", report.warnings());
        map.put("repositories", report.repositories().stream().filter(p -> call.administers(p.name().value()))
                .map(RetentionResource::plan).toList());
        return map;
    }

    private static Map<String, Object> plan(RepositoryPlan plan) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", plan.name().value());
        map.put("rule", plan.rule());
        map.put("keptTags", tags(plan.keptTags()));
        map.put("removedTags", tags(plan.removedTags()));
        map.put("manifests", plan.manifests());
        map.put("removedManifests", plan.removedManifests().stream().map(Object::toString).toList());
        map.put("warnings", plan.warnings());
        return map;
    }

    private static List<Map<String, Object>> tags(List<PushedTag> tags) {
        return tags.stream().map(t -> {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("tag", t.tag());
            map.put("digest", t.digest().toString());
            map.put("pushed", t.pushed().toString());
            return map;
        }).toList();
    }
}
