package dev.berth.http.api;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where resources register their routes: each handler gets the authenticated call, and whatever it throws is
 * answered in the API's one error shape. Remembers each path's methods, so that another method on it is a 405 with
 * {@code Allow}, and anything else under {@code /api/v1} a JSON 404.
 */
public final class ApiRoutes {
    private final HttpRules rules;
    private final ApiAccess access;
    private final Map<String, Set<Method>> methods = new LinkedHashMap<>();

    ApiRoutes(HttpRules rules, ApiAccess access) {
        this.rules = rules;
        this.access = access;
    }

    public ApiRoutes get(String path, ApiHandler handler) {
        return route(Method.GET, path, handler);
    }

    public ApiRoutes post(String path, ApiHandler handler) {
        return route(Method.POST, path, handler);
    }

    public ApiRoutes put(String path, ApiHandler handler) {
        return route(Method.PUT, path, handler);
    }

    public ApiRoutes delete(String path, ApiHandler handler) {
        return route(Method.DELETE, path, handler);
    }

    /** Registers {@code handler} for {@code method} on {@code path} (Helidon's pattern, e.g. {@code /jobs/{id}}). */
    public ApiRoutes route(Method method, String path, ApiHandler handler) {
        methods.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(method);
        rules.route(method, path, (req, res) -> answer(req, res, handler));
        return this;
    }

    /** After every resource: 405 for the other methods of known paths, 404 for unknown paths. */
    void finish() {
        methods.forEach((path, allowed) -> {
            String allow = allowed.stream().map(Method::text).collect(Collectors.joining(", "));
            rules.any(path, (req, res) -> ApiErrors.send(req, res, new ApiException(ApiError.METHOD_NOT_ALLOWED,
                    req.prologue().method().text() + " is not allowed here; allowed: " + allow)
                    .withHeader("Allow", allow)));
        });
        rules.any((req, res) -> ApiErrors.send(req, res, new ApiException(ApiError.NOT_FOUND,
                "no admin API endpoint at " + req.path().absolute().rawPath())));
    }

    private void answer(ServerRequest req, ServerResponse res, ApiHandler handler) {
        try {
            handler.handle(new ApiCall(req, access.authenticate(req), access), res);
        } catch (Exception e) {
            ApiErrors.send(req, res, e);
        }
    }
}
