package dev.berth.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.RepoName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import okhttp3.Challenge;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Asks a registry whether a caller's own login may pull a repository ({@code access: caller}), following the flow a
 * client would, with the caller's credentials instead of berth's: an anonymous request finds the challenge; a Bearer
 * challenge sends the login to the token service for the repository's pull scope, and the token's {@code access}
 * claim, where it is a JWT that has one, says what was granted; otherwise the token (or, for a Basic challenge, the
 * login) is tried on the repository's tag list. The claim is read without checking its signature: the token comes
 * straight from the realm berth asked, which is all a signature could vouch for here. The whole exchange is bounded
 * by the upstream's {@code revalidate-timeout}; the credentials go only to the registry and to its realm (https when
 * the registry is).
 */
final class CallerCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient client;
    private final V2Requests requests;
    private final boolean https;
    private final long maxBytes;
    private final Duration bound;
    private final Clock clock;
    private final String registry;

    /** {@code client} must carry none of berth's own credentials. */
    CallerCheck(OkHttpClient client, V2Requests requests, boolean https, long maxBytes, Duration bound, Clock clock,
                String registry) {
        this.client = client;
        this.requests = requests;
        this.https = https;
        this.maxBytes = maxBytes;
        this.bound = bound;
        this.clock = clock;
        this.registry = registry;
    }

    /**
     * What the registry says of {@code user}'s login for pulling {@code repository} (empty: of the login alone).
     *
     * @throws UpstreamException when the registry or its token service does not answer in time, or answers nonsense
     */
    AccessAnswer check(Optional<RepoName> repository, String user, String password) {
        Deadline deadline = Deadline.after(bound);
        Request probe = repository.map(this::tagPage).orElseGet(() -> requests.base().build());
        String basic = Credentials.basic(user, password, StandardCharsets.UTF_8);
        Challenge challenge;
        try (Response first = call(probe, deadline)) {
            if (first.isSuccessful()) {
                // The registry asks nobody to log in: whoever asks may pull.
                return AccessAnswer.GRANTED;
            }
            if (first.code() != 401) {
                return denial(first, repository.isPresent()).orElseThrow(() -> unexpected(first));
            }
            challenge = first.challenges().stream()
                    .filter(c -> c.scheme().equalsIgnoreCase("Bearer") && c.authParams().get("realm") != null)
                    .findFirst()
                    .or(() -> first.challenges().stream().filter(c -> c.scheme().equalsIgnoreCase("Basic")).findFirst())
                    .orElseThrow(() -> new UpstreamException(401, registry + " asked for a login berth cannot make"
                            + " (no Bearer realm nor Basic challenge)"));
        }
        if (challenge.scheme().equalsIgnoreCase("Basic")) {
            return confirm(probe, basic, deadline, AccessAnswer.REFUSED);
        }
        String scope = repository.isPresent() ? probe.tag(Scope.class).value() : null;
        BearerToken token;
        try {
            token = new TokenService(client, Optional.of(basic), https, maxBytes, clock)
                    .fetch(challenge.authParams().get("realm"), challenge.authParams().get("service"), scope, deadline);
        } catch (IOException e) {
            if (e.getCause() instanceof UpstreamException refusal) {
                if (refusal.authenticationFailed() && refusal.status() == 401) {
                    return AccessAnswer.REFUSED;
                }
                if (refusal.authenticationFailed() && refusal.status() == 403) {
                    // Forbidden, not unauthenticated: the login is good but may not have this scope.
                    return scope == null ? AccessAnswer.REFUSED : AccessAnswer.DENIED;
                }
                throw new UpstreamException(refusal.status(), registry + " could not tell whether a caller's login"
                        + " may pull: " + refusal.getMessage(), null, refusal);
            }
            throw unanswered(e);
        }
        if (scope == null) {
            return AccessAnswer.GRANTED;
        }
        Optional<Boolean> claimed = claimsPull(token.value(), scope.substring(scope.indexOf(':') + 1,
                scope.lastIndexOf(':')));
        if (claimed.isPresent()) {
            return claimed.get() ? AccessAnswer.GRANTED : AccessAnswer.DENIED;
        }
        return confirm(probe, token.authorization(), deadline, AccessAnswer.DENIED);
    }

    /** The first page of one tag, the smallest request that needs the repository's pull right. */
    private Request tagPage(RepoName repository) {
        Request tags = requests.tags(repository).build();
        return tags.newBuilder().url(tags.url().newBuilder().addQueryParameter("n", "1").build()).build();
    }

    /** Asks {@code probe} with {@code authorization}: 200 grants; a 401 is {@code on401}. */
    private AccessAnswer confirm(Request probe, String authorization, Deadline deadline, AccessAnswer on401) {
        Request asked = probe.newBuilder().header("Authorization", authorization).build();
        try (Response response = call(asked, deadline)) {
            if (response.isSuccessful()) {
                return AccessAnswer.GRANTED;
            }
            if (response.code() == 401) {
                return on401;
            }
            return denial(response, true).orElseThrow(() -> unexpected(response));
        }
    }

    /** A 403 or 404 for a repository: the login may not pull it (or it is not there, which the caller may not know). */
    private static Optional<AccessAnswer> denial(Response response, boolean forRepository) {
        boolean denied = forRepository && (response.code() == 403 || response.code() == 404);
        return denied ? Optional.of(AccessAnswer.DENIED) : Optional.empty();
    }

    /**
     * Whether the JWT {@code token}'s {@code access} claim grants pull on {@code name}; empty when the token is not a
     * JWT or has no such claim, which leaves the registry to say.
     */
    static Optional<Boolean> claimsPull(String token, String name) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        JsonNode access;
        try {
            access = JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).path("access");
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!access.isArray()) {
            return Optional.empty();
        }
        for (JsonNode entry : access) {
            if (entry.path("type").asText().equals("repository") && entry.path("name").asText().equals(name)) {
                for (JsonNode action : entry.path("actions")) {
                    if (action.asText().equals("pull") || action.asText().equals("*")) {
                        return Optional.of(true);
                    }
                }
            }
        }
        return Optional.of(false);
    }

    private Response call(Request request, Deadline deadline) {
        try {
            return deadline.bound(client.newCall(request)).execute();
        } catch (IOException e) {
            throw unanswered(e);
        }
    }

    private UpstreamException unanswered(IOException e) {
        return new UpstreamException(0, registry + " did not answer berth's check of a caller's login in time"
                + " (mirror.upstreams[].revalidate-timeout): " + e.getMessage(), null, e);
    }

    private UpstreamException unexpected(Response response) {
        return new UpstreamException(response.code(), registry + " answered " + response.code()
                + " to berth's check of a caller's login");
    }
}
