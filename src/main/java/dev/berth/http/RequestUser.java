package dev.berth.http;

import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/** The user a request was authenticated as, kept in the request's context for the access log. */
final class RequestUser {
    private static final String KEY = "berth.user";

    private RequestUser() {
    }

    static void set(ServerRequest req, String user) {
        req.context().register(KEY, user);
    }

    /** The user's name; empty for anonymous requests and where authentication is off. */
    static Optional<String> of(ServerRequest req) {
        return req.context().get(KEY, String.class);
    }
}
