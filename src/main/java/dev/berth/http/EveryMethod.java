package dev.berth.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;

/** Routes every method a registry client sends to one handler, which reads the path itself. */
public final class EveryMethod {
    private static final Method[] METHODS = {Method.GET, Method.HEAD, Method.POST, Method.PUT, Method.PATCH,
        Method.DELETE};

    private EveryMethod() {
    }

    /** Each method on its own: Helidon does not route HEAD to GET handlers. */
    public static void route(HttpRules rules, Handler handler) {
        for (Method method : METHODS) {
            rules.route(method, "/", handler);
            rules.route(method, "/*", handler);
        }
    }
}
