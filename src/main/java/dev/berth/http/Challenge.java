package dev.berth.http;

import dev.berth.auth.Scope;
import dev.berth.config.BerthConfig;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/**
 * The 401 that tells a client how to authenticate: {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...}
 * pointing at berth's own token endpoint, or {@code Basic realm="berth"}.
 */
final class Challenge {
    static final String TOKEN_PATH = "/auth/token";

    private final BerthConfig.Scheme scheme;
    private final String service;

    Challenge(BerthConfig.Scheme scheme, String service) {
        this.scheme = scheme;
        this.service = service;
    }

    /** A 401 UNAUTHORIZED asking for credentials good for {@code scope} (when the request needs one). */
    RegistryException unauthorized(ServerRequest req, String detail, Optional<Scope> scope, boolean invalidToken) {
        return new RegistryException(OciError.UNAUTHORIZED, detail)
                .withHeader("WWW-Authenticate", header(req, scope, invalidToken));
    }

    private String header(ServerRequest req, Optional<Scope> scope, boolean invalidToken) {
        if (scheme == BerthConfig.Scheme.BASIC) {
            return "Basic realm=\"berth\"";
        }
        StringBuilder value = new StringBuilder("Bearer realm=\"").append(realm(req)).append("\",service=\"")
                .append(service).append('"');
        scope.ifPresent(s -> value.append(",scope=\"").append(s).append('"'));
        if (invalidToken) {
            value.append(",error=\"invalid_token\"");
        }
        return value.toString();
    }

    /** The token endpoint's URL as this client reached berth: same scheme, same host and port. */
    private static String realm(ServerRequest req) {
        String authority = req.requestedUri().authority();
        // The Host header is the client's own; only a plain host[:port] is echoed back.
        if (authority == null || !authority.matches("[A-Za-z0-9.\\-]+(:\\d+)?|\\[[0-9A-Fa-f:.]+\\](:\\d+)?")) {
            authority = req.localPeer().host() + ":" + req.localPeer().port();
        }
        // A trusted proxy that ends TLS says so in X-Forwarded-Proto; the realm must be what the client can reach.
        return (RequestClient.of(req).https() ? "https://" : "http://") + authority + TOKEN_PATH;
    }
}
