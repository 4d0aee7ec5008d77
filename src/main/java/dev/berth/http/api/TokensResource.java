package dev.berth.http.api;

import dev.berth.auth.AccessToken;
import dev.berth.auth.AccessTokens;
import dev.berth.http.Acts;
import dev.berth.auth.Action;
import dev.berth.auth.Principal;
import dev.berth.auth.TokenRequest;
import dev.berth.auth.TokenRequestRefused;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/tokens}: access tokens for CI. A signed-in user creates one ({@code POST}, 201 with the secret, shown
 * this once), lists theirs ({@code GET}; an administrator sees everyone's), shows one ({@code GET /tokens/{name}})
 * and revokes one ({@code DELETE /tokens/{name}}; an administrator any). An access token never manages tokens itself.
 */
public final class TokensResource implements ApiResource {
    private final AccessTokens tokens;
    private final Acts acts;

    /** Over {@code tokens}; each token created or revoked is reported to {@code acts}. */
    public TokensResource(AccessTokens tokens, Acts acts) {
        this.tokens = tokens;
        this.acts = acts;
    }

    /** The body of {@code POST /api/v1/tokens}; {@code expires} is a lifetime such as {@code 90d}. */
    record CreateRequest(String name, List<String> repositories, List<String> actions, String expires) {
    }

    @Override
    public void routes(ApiRoutes routes) {
        routes.post("/tokens", (call, res) -> {
            requireUser(call, "create an access token");
            CreateRequest body = call.body(CreateRequest.class);
            AccessTokens.Created created;
            try {
                created = tokens.create(call.principal(), TokenRequest.of(body.name(), body.repositories(),
                        body.actions(), body.expires()));
            } catch (TokenRequestRefused e) {
                throw new ApiException(switch (e.reason()) {
                    case INVALID -> ApiError.BAD_REQUEST;
                    case TAKEN, TOO_MANY -> ApiError.CONFLICT;
                    case BEYOND_CREATOR -> ApiError.FORBIDDEN;
                }, e.getMessage());
            }
            acts.accessToken(call.request(), call.principal(), created.token().name(), true);
            Map<String, Object> answer = describe(created.token());
            answer.put("secret", created.secret());
            answer.put("login", "docker login -u " + created.token().name() + " --password-stdin");
            res.header(HeaderNames.LOCATION, AdminApi.PREFIX + "/tokens/" + created.token().name());
            ApiJson.send(res, Status.CREATED_201, answer);
        });
        routes.get("/tokens", (call, res) -> {
            String user = requireUser(call, "list access tokens");
            boolean all = call.isAdmin();
            ApiJson.send(res, Map.of("tokens", tokens.list().stream()
                    .filter(token -> all || token.creator().equals(user))
                    .sorted(Comparator.comparing(AccessToken::name)).map(TokensResource::describe).toList()));
        });
        routes.get("/tokens/{name}", (call, res) -> ApiJson.send(res,
                describe(visible(call, requireUser(call, "see an access token")))));
        routes.delete("/tokens/{name}", (call, res) -> {
            AccessToken token = visible(call, requireUser(call, "revoke an access token"));
            tokens.revoke(token.name());
            acts.accessToken(call.request(), call.principal(), token.name(), false);
            res.status(Status.NO_CONTENT_204).send();
        });
    }

    /** The token the path names, if {@code user} may see it; another user's is as unknown as none, but to admins. */
    private AccessToken visible(ApiCall call, String user) {
        String name = call.pathParam("name");
        return tokens.find(name).filter(t -> call.isAdmin() || t.creator().equals(user))
                .orElseThrow(() -> new ApiException(ApiError.NOT_FOUND, "no access token " + shown(name)
                        + " of yours"));
    }

    /** The signed-in user calling; 401 for anonymous callers, 403 for an access token, 409 without accounts. */
    private static String requireUser(ApiCall call, String what) {
        if (!call.loginsEnabled()) {
            throw new ApiException(ApiError.CONFLICT, "berth has no accounts (auth.htpasswd), so no access tokens:"
                    + " nobody could " + what);
        }
        Principal who = call.principal();
        if (who.isAnonymous()) {
            throw new ApiException(ApiError.UNAUTHORIZED, "sign in to " + what)
                    .withHeader("WWW-Authenticate", ApiAccess.CHALLENGE);
        }
        if (who.token().isPresent()) {
            throw new ApiException(ApiError.FORBIDDEN, "an access token may not " + what
                    + "; a signed-in user may");
        }
        return who.user().get();
    }

    private static Map<String, Object> describe(AccessToken token) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", token.name());
        map.put("creator", token.creator());
        map.put("repositories", token.repositories());
        map.put("actions", token.actions().stream().sorted().map(Action::scopeName).toList());
        map.put("created", token.created().toString());
        map.put("expires", token.expires().toString());
        map.put("lastUsed", token.lastUsed().map(Object::toString).orElse(null));
        return map;
    }

    /** A name from the path in a message: only what a token name may hold, cut short. */
    private static String shown(String name) {
        String safe = name.replaceAll("[^a-z0-9_-]", "?");
        return safe.length() > 64 ? safe.substring(0, 64) + "..." : safe;
    }
}
