package dev.berth.http.api;

import dev.berth.events.Act;
import dev.berth.events.AuditTrail;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/audit}: the latest lines of the audit trail, newest first, for administrators: {@code action=} one
 * action, {@code q=} text any field contains (a user, an address, a repository), {@code n=} how many (at most
 * {@link AuditTrail#KEPT}). A line naming a repository shows only to its administrators.
 */
public final class AuditResource implements ApiResource {
    private static final int DEFAULT_COUNT = 100;

    private final Optional<AuditTrail> audit;

    /** Over {@code audit}; without one ({@code audit.path} unset) the resource answers 404 saying so. */
    public AuditResource(Optional<AuditTrail> audit) {
        this.audit = audit;
    }

    @Override
    public void routes(ApiRoutes routes) {
        routes.get("/audit", (call, res) -> {
            call.requireAdmin();
            AuditTrail trail = audit.orElseThrow(() -> new ApiException(ApiError.NOT_FOUND,
                    "there is no audit trail: audit.path is not set"));
            Optional<String> action = call.query("action");
            action.ifPresent(AuditResource::checkAction);
            int count = call.query("n").map(AuditResource::count).orElse(DEFAULT_COUNT);
            List<Map<String, Object>> entries = trail.latest(action, call.query("q"), AuditTrail.KEPT).stream()
                    .filter(line -> !(line.get("repository") instanceof String repository)
                            || call.administers(repository))
                    .limit(count).toList();
            ApiJson.send(res, Map.of("entries", entries));
        });
    }

    private static void checkAction(String action) {
        try {
            Act.parse(action);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.BAD_REQUEST, "action " + action + " is none of the audit's: "
                    + Arrays.stream(Act.values()).map(Act::text).collect(Collectors.joining(", ")));
        }
    }

    private static int count(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= AuditTrail.KEPT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(ApiError.BAD_REQUEST, "n must be a number from 1 to " + AuditTrail.KEPT);
    }
}
