package dev.berth.http;

import dev.berth.auth.Credentials;
import dev.berth.auth.IssuedToken;
import dev.berth.auth.Scope;
import dev.berth.auth.Tokens;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /auth/token}, the token endpoint of the Docker token flow: {@code GET} with Basic credentials (or none, for
 * an anonymous token) as docker and skopeo call it, and the OAuth2 password grant by {@code POST} as containerd does.
 * The token grants what {@link TokenGrants} decides: each requested scope cut down to what the access rules allow, or
 * where an upstream decides ({@code access: caller}), what it grants the caller's own login.
 */
final class TokenEndpoint implements HttpService {
    /** A password grant is a few hundred bytes; the cap keeps the form's read short under the body pace. */
    private static final int MAX_FORM = 4 * 1024;

    private final AccessControl access;
    private final TokenGrants grants;
    private final Tokens tokens;

    TokenEndpoint(AccessControl access, TokenGrants grants, Tokens tokens) {
        this.access = access;
        this.grants = grants;
        this.tokens = tokens;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/token", this::get);
        rules.post("/token", this::post);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Optional<Credentials.Password> login = req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(v -> v.regionMatches(true, 0, "Basic ", 0, 6))
                .map(v -> access.decodeBasic(req, v.substring(6).trim()));
        List<String> scopes = req.query().contains("scope") ? req.query().all("scope") : List.of();
        send(res, grants.grant(req, login, Scope.parse(scopes)));
    }

    private void post(ServerRequest req, ServerResponse res) {
        // Another site's page could otherwise make visitors' browsers guess passwords, which the throttle counts.
        access.refuseWebPages(req);
        Map<String, List<String>> form = form(Requests.body(req, MAX_FORM, "token request"));
        String grant = first(form, "grant_type").orElse("");
        if (!grant.equals("password")) {
            throw new RegistryException(OciError.UNSUPPORTED, "grant_type " + grant + " is not supported; use"
                    + " password, or GET with Basic credentials");
        }
        Credentials.Password login = new Credentials.Password(first(form, "username").orElse(""),
                first(form, "password").orElse(""));
        send(res, grants.grant(req, Optional.of(login), Scope.parse(form.getOrDefault("scope", List.of()))));
    }

    private void send(ServerResponse res, TokenGrants.Grant grant) {
        IssuedToken issued = tokens.issue(grant.who(), grant.access(), grant.atMost());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", issued.token());
        body.put("access_token", issued.token());
        body.put("expires_in", issued.expiresIn().toSeconds());
        body.put("issued_at", issued.issuedAt().toString());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, "application/json", body);
    }

    private static Map<String, List<String>> form(byte[] body) {
        Map<String, List<String>> form = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                form.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw new RegistryException(OciError.UNSUPPORTED, "the form body is not URL-encoded");
            }
        }
        return form;
    }

    private static Optional<String> first(Map<String, List<String>> form, String name) {
        return Optional.ofNullable(form.get(name)).filter(v -> !v.isEmpty()).map(List::getFirst);
    }
}
