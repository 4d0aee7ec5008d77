package dev.berth.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Asks a registry's token service (the challenge's realm) for a token, as Docker Hub's auth.docker.io does it. */
final class TokenService {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The token spec's default when the service leaves out {@code expires_in}. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    private final OkHttpClient client;
    private final Optional<String> basicAuthorization;
    private final boolean httpsOnly;
    private final long maxBytes;
    private final Clock clock;

    /**
     * {@code client} must not carry the registry authenticator: the token service is another host with its own rules.
     * With {@code httpsOnly} (an https upstream) a realm that is not https is refused rather than sent credentials.
     * An answer larger than {@code maxBytes} is refused.
     */
    TokenService(OkHttpClient client, Optional<String> basicAuthorization, boolean httpsOnly, long maxBytes,
                 Clock clock) {
        this.client = client;
        this.basicAuthorization = basicAuthorization;
        this.httpsOnly = httpsOnly;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /**
     * Fetches a token for {@code scope} (null: none) of {@code service} from {@code realm}, within {@code deadline}
     * when the registry call it is for has one (null: none). Failures are IOExceptions whose cause is the
     * {@link UpstreamException}, since this runs inside OkHttp's authenticator.
     */
    BearerToken fetch(String realm, String service, String scope, Deadline deadline) throws IOException {
        HttpUrl realmUrl = HttpUrl.parse(realm);
        if (realmUrl == null) {
            throw failure(UpstreamException.ofAuthentication(0, "token realm is not an http(s) URL", null));
        }
        if (httpsOnly && !realmUrl.isHttps()) {
            // The challenge comes from the upstream, but a plain-http realm would expose the credentials (and the
            // token) to anyone on the path; the realm's host may differ (Docker Hub's auth.docker.io), its scheme not.
            throw failure(UpstreamException.ofAuthentication(0, "token realm " + realmUrl.scheme() + "://"
                    + realmUrl.host() + " is not https, unlike the upstream; berth does not ask it for a token", null));
        }
        HttpUrl.Builder url = realmUrl.newBuilder();
        if (service != null) {
            url.addQueryParameter("service", service);
        }
        if (scope != null) {
            url.addQueryParameter("scope", scope);
        }
        Request.Builder request = new Request.Builder().url(url.build());
        basicAuthorization.ifPresent(value -> request.header("Authorization", value));
        Instant requestedAt = clock.instant();
        Call call = client.newCall(request.build());
        try (Response response = (deadline == null ? call : deadline.bound(call)).execute()) {
            if (!response.isSuccessful()) {
                boolean refused = response.code() == 401 || response.code() == 403;
                String message = "token service " + realmUrl.host() + " answered " + response.code() + " for scope "
                        + scope;
                Duration retryAfter = RetryAfter.parse(response.header("Retry-After"), clock.instant());
                if (refused && basicAuthorization.isEmpty()) {
                    // No credentials to blame: the service declines this scope to anyone, as for a missing repository.
                    throw failure(new UpstreamException(response.code(), message, retryAfter, null));
                }
                throw failure(UpstreamException.ofAuthentication(response.code(), message
                        + (refused ? "; check the upstream's username and password" : ""), retryAfter));
            }
            return read(response, realmUrl.host(), requestedAt);
        }
    }

    private BearerToken read(Response response, String host, Instant requestedAt) throws IOException {
        JsonNode json;
        try (BoundedDocument body = BoundedDocument.of(response, "token answer", maxBytes,
                "mirror.upstreams[].max-document-size")) {
            json = JSON.readTree(body);
        } catch (BoundedDocument.TooLarge e) {
            throw failure(UpstreamException.ofOversized("token service " + host + ": " + e.getMessage()));
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the input, which may hold the token: leave it out.
            throw failure(UpstreamException.ofAuthentication(response.code(), "token service " + host
                    + " sent malformed JSON", null));
        }
        String token = text(json, "token");
        if (token == null) {
            token = text(json, "access_token");
        }
        if (token == null) {
            throw failure(UpstreamException.ofAuthentication(response.code(), "token service " + host + " sent no token",
                    null));
        }
        long expiresIn = json == null ? 0 : json.path("expires_in").asLong(0);
        Duration lifetime = expiresIn > 0 ? Duration.ofSeconds(expiresIn) : DEFAULT_LIFETIME;
        // Counted from when we asked, not from issued_at: our clock and the service's need not agree.
        return BearerToken.of(token, requestedAt, lifetime);
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json == null ? null : json.get(field);
        return node != null && node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    private static IOException failure(UpstreamException e) {
        return new IOException(e.getMessage(), e);
    }
}
