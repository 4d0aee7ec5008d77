package dev.berth.upstream;

import java.io.IOException;
import java.util.Optional;
import okhttp3.Authenticator;
import okhttp3.Challenge;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * Authenticates to one registry. As OkHttp's {@link Authenticator} it answers a 401: a Bearer challenge by fetching
 * a token for the challenged scope, a Basic one with the configured credentials; once per request, so a second 401
 * reaches the caller. As an application {@link Interceptor} it attaches a cached token (or Basic credentials the
 * registry asked for before) up front, so a warm scope costs no 401 round trip.
 */
final class TokenAuthenticator implements Authenticator, Interceptor {
    private static final String AUTHORIZATION = "Authorization";

    private final V2Requests registry;
    private final Optional<String> basicAuthorization;
    private final TokenService tokenService;
    private final TokenCache cache;
    private volatile boolean basicChallenged;

    TokenAuthenticator(V2Requests registry, Optional<String> basicAuthorization, TokenService tokenService,
                       TokenCache cache) {
        this.registry = registry;
        this.basicAuthorization = basicAuthorization;
        this.tokenService = tokenService;
        this.cache = cache;
    }

    /**
     * Application interceptors see only the first request of a call, never a redirect: OkHttp builds redirects from
     * it and drops Authorization when the host changes, so a CDN never sees the registry's token.
     */
    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (request.header(AUTHORIZATION) == null && registry.isRegistry(request.url())) {
            Optional<String> authorization = upFront(request);
            if (authorization.isPresent()) {
                request = request.newBuilder().header(AUTHORIZATION, authorization.get()).build();
            }
        }
        return chain.proceed(request);
    }

    @Override
    public Request authenticate(Route route, Response response) throws IOException {
        // A 401 from elsewhere (a redirect target) must not get this registry's credentials.
        if (!registry.isRegistry(response.request().url()) || alreadyAnswered(response)) {
            return null;
        }
        for (Challenge challenge : response.challenges()) {
            if (challenge.scheme().equalsIgnoreCase("Bearer") && challenge.authParams().get("realm") != null) {
                return withBearer(response.request(), challenge);
            }
        }
        for (Challenge challenge : response.challenges()) {
            if (challenge.scheme().equalsIgnoreCase("Basic") && basicAuthorization.isPresent()) {
                basicChallenged = true;
                return response.request().newBuilder().header(AUTHORIZATION, basicAuthorization.get()).build();
            }
        }
        return null;
    }

    private Optional<String> upFront(Request request) {
        if (basicChallenged) {
            return basicAuthorization;
        }
        Scope scope = request.tag(Scope.class);
        return scope == null ? Optional.empty() : cache.peek(scope.value()).map(BearerToken::authorization);
    }

    private Request withBearer(Request refused, Challenge challenge) throws IOException {
        String realm = challenge.authParams().get("realm");
        String service = challenge.authParams().get("service");
        String scope = challenge.authParams().get("scope");
        String key = scope == null ? "" : scope;
        String sent = refused.header(AUTHORIZATION);
        if (sent != null && "insufficient_scope".equals(challenge.authParams().get("error"))) {
            // Docker Hub's answer for a repository that does not exist or is private: a new token would not help.
            return null;
        }
        // A token we sent and the registry refused (revoked, or expired early) is not reused.
        cache.invalidate(key, sent);
        // Within the registry call's deadline, if it has one: the token service may hang as well as the registry.
        Deadline deadline = refused.tag(Deadline.class);
        BearerToken token = cache.get(key, deadline, () -> tokenService.fetch(realm, service, scope, deadline));
        return refused.newBuilder().header(AUTHORIZATION, token.authorization()).build();
    }

    /** Whether this call already answered a 401: one answer per request bounds the token refreshes to one. */
    private static boolean alreadyAnswered(Response response) {
        for (Response prior = response.priorResponse(); prior != null; prior = prior.priorResponse()) {
            if (prior.code() == 401) {
                return true;
            }
        }
        return false;
    }
}
