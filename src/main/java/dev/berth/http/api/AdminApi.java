package dev.berth.http.api;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin JSON API under {@code /api/v1}, which the web page and {@code berth warm} use: its resources, one
 * authentication and one error shape for all of them, and {@code GET /api/v1/me} (who the caller is).
 */
public final class AdminApi implements HttpService {
    /** Where the API lives. */
    public static final String PREFIX = "/api/v1";

    private final ApiAccess access;
    private final List<ApiResource> resources;

    public AdminApi(ApiAccess access, List<ApiResource> resources) {
        this.access = access;
        this.resources = new ArrayList<>(resources);
    }

    @Override
    public void routing(HttpRules rules) {
        ApiRoutes routes = new ApiRoutes(rules, access);
        routes.get("/me", (call, res) -> {
            Map<String, Object> me = new LinkedHashMap<>();
            me.put("user", call.principal().user().orElse(null));
            me.put("admin", call.isAdmin());
            me.put("authentication", access.loginsEnabled());
            me.put("signIn", access.signIn());
            me.put("groups", call.principal().groups().stream().sorted().toList());
            ApiJson.send(res, Status.OK_200, me);
        });
        resources.forEach(resource -> resource.routes(routes));
        routes.finish();
    }
}
