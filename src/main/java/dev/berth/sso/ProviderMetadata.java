package dev.berth.sso;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * What the provider's discovery document says berth needs: where browsers sign in, where codes are exchanged, where
 * its keys are, where browsers sign out (if anywhere), and whether it takes the client secret in the form rather than
 * in HTTP Basic.
 */
record ProviderMetadata(URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri, Optional<URI> endSessionEndpoint,
                        boolean secretInForm) {

    /**
     * The metadata of {@code document}, which must name {@code issuer} exactly (OpenID Connect Discovery 1.0, 4.3: a
     * document naming another issuer is not this provider's).
     */
    static ProviderMetadata parse(JsonNode document, String issuer) {
        String named = document.path("issuer").asText("");
        if (!named.equals(issuer)) {
            throw new ProviderUnavailable("the discovery document of " + issuer + " names the issuer \""
                    + shorten(named) + "\": auth.oidc.issuer must be exactly the provider's issuer");
        }
        boolean basic = false;
        boolean post = false;
        JsonNode methods = document.path("token_endpoint_auth_methods_supported");
        for (JsonNode method : methods) {
            basic |= method.asText().equals("client_secret_basic");
            post |= method.asText().equals("client_secret_post");
        }
        // Absent, the default is client_secret_basic (Discovery 1.0, 3).
        boolean secretInForm = methods.isArray() && post && !basic;
        return new ProviderMetadata(endpoint(document, "authorization_endpoint"), endpoint(document, "token_endpoint"),
                endpoint(document, "jwks_uri"), document.has("end_session_endpoint")
                ? Optional.of(endpoint(document, "end_session_endpoint")) : Optional.empty(), secretInForm);
    }

    private static URI endpoint(JsonNode document, String name) {
        String value = document.path(name).asText("");
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new URISyntaxException(value, "not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ProviderUnavailable("the discovery document's " + name + " is not an http(s) URL: \""
                    + shorten(value) + "\"");
        }
    }

    static String shorten(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 120 ? printable.substring(0, 120) + "..." : printable;
    }
}
