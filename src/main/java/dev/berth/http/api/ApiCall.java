package dev.berth.http.api;

import dev.berth.auth.Caller;
import dev.berth.auth.Principal;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/** One admin API call as its handler sees it: the request, who made it, and the checks of what they may do. */
public final class ApiCall {
    private final ServerRequest request;
    private final Caller caller;
    private final ApiAccess access;

    ApiCall(ServerRequest request, Caller caller, ApiAccess access) {
        this.request = request;
        this.caller = caller;
        this.access = access;
    }

    public ServerRequest request() {
        return request;
    }

    /** Who called: an authenticated user, or anonymous. */
    public Principal principal() {
        return caller.principal();
    }

    /** Whether the caller may pull the repository stored as {@code repository} (what they may see). */
    public boolean canPull(String repository) {
        return access.canPull(caller, repository);
    }

    /** Passes when the caller administers the repository stored as {@code repository}; 401 or 403 otherwise. */
    public void requireAdmin(String repository) {
        access.requireAdmin(caller, repository);
    }

    /** Whether the caller administers the repository stored as {@code repository}. */
    public boolean administers(String repository) {
        return access.administers(caller, repository);
    }

    /** Passes when the caller administers anything (warm jobs, statistics); 401 or 403 otherwise. */
    public void requireAdmin() {
        access.requireAdmin(caller);
    }

    /** Whether the caller administers anything. */
    public boolean isAdmin() {
        return access.isAdmin(caller);
    }

    /** Whether logins are on ({@code auth.htpasswd}): without them there is nobody to hold a token. */
    public boolean loginsEnabled() {
        return access.loginsEnabled();
    }

    /** A path parameter of the route, such as {@code id} of {@code /warm-jobs/{id}}. */
    public String pathParam(String name) {
        return request.path().pathParameters().get(name);
    }

    /** A query parameter, when given and not empty. */
    public Optional<String> query(String name) {
        return request.query().first(name).asOptional().filter(v -> !v.isEmpty());
    }

    /** The JSON body as {@code type}; 400 when it is missing, larger than 64 KiB or does not fit. */
    public <T> T body(Class<T> type) {
        return ApiJson.read(request, type);
    }
}
