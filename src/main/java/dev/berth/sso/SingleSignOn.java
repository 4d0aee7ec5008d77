package dev.berth.sso;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.berth.auth.Accounts;
import dev.berth.auth.Principal;
import dev.berth.config.BerthConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.FormBody;

/**
 * Signing in to the web page through an OpenID Connect provider: the authorization code flow with PKCE (S256),
 * {@code state} and {@code nonce}, the code exchanged with the client secret, the ID token checked with the
 * provider's keys ({@link IdTokenCheck}). The user is the token's {@code preferred_username}, else its {@code sub};
 * their groups are the strings of the {@code groups-claim}, of which the session keeps those the rules name.
 */
public final class SingleSignOn {
    /** How long a browser has at the provider before its sign-in is forgotten. */
    public static final Duration PENDING = Duration.ofMinutes(10);
    /** The cookie that holds a sign-in in progress. */
    public static final String COOKIE = "berth_sso";
    private static final int MAX_DOCUMENT = 256 * 1024;
    private static final int MAX_NAME = 256;
    private static final int MAX_REPLAYS_KEPT = 10_000;

    private final BerthConfig.Oidc config;
    private final Accounts own;
    private final Set<String> ruleGroups;
    private final byte[] key;
    private final Clock clock;
    private final ProviderHttp http;
    private final Discovery discovery;
    private final IdTokenCheck tokens;
    // The states of callbacks taken (until their sign-in would have expired): the same callback twice is refused.
    private final Map<String, Instant> taken = new ConcurrentHashMap<>();

    /**
     * Sign-ins through {@code config}'s provider. Names of {@code own} accounts cannot sign in through it; of the
     * user's groups, sessions keep {@code ruleGroups} (those the rules name). {@code key} (32 bytes) seals sign-ins in
     * progress, and must be the same on every instance a browser may come back to.
     */
    public SingleSignOn(BerthConfig.Oidc config, Accounts own, Set<String> ruleGroups, byte[] key, Clock clock) {
        this.config = config;
        this.own = own;
        this.ruleGroups = Set.copyOf(ruleGroups);
        this.key = key.clone();
        this.clock = clock;
        this.http = new ProviderHttp(config, MAX_DOCUMENT);
        this.discovery = new Discovery(http, config.issuer(), clock);
        this.tokens = new IdTokenCheck(config.issuer().toString(), config.clientId(),
                new ProviderKeys(http, () -> discovery.metadata().jwksUri(), clock), clock);
    }

    /** Where a browser goes to sign in, and the cookie that keeps its sign-in until it comes back. */
    public record Start(URI location, String cookie) {
    }

    /**
     * A new sign-in that comes back to {@code redirectUri} (berth's callback, as the provider has it registered).
     *
     * @throws ProviderUnavailable when the provider's metadata cannot be had
     */
    public Start start(String redirectUri) {
        ProviderMetadata metadata = discovery.metadata();
        PendingSignIn pending = PendingSignIn.start(redirectUri, clock.instant().plus(PENDING));
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", config.clientId());
        query.put("redirect_uri", redirectUri);
        query.put("scope", String.join(" ", config.scopes()));
        query.put("state", pending.state());
        query.put("nonce", pending.nonce());
        query.put("code_challenge", challenge(pending.verifier()));
        query.put("code_challenge_method", "S256");
        return new Start(withQuery(metadata.authorizationEndpoint(), query), pending.seal(key));
    }

    /**
     * The user a callback proves: {@code params} are its query parameters, {@code cookie} the browser's sign-in in
     * progress.
     *
     * @throws SignInRefused for a callback that is not this browser's sign-in (400), taken already (400), an error the
     *     provider sent (401, 403 when it denied access), an ID token that fails a check (401), a name of berth's own
     *     accounts (403)
     * @throws ProviderUnavailable when the provider cannot be asked in time, or fails
     */
    public Principal finish(Map<String, String> params, Optional<String> cookie) {
        Optional<PendingSignIn> pending = cookie.flatMap(value -> PendingSignIn.open(value, key))
                .filter(p -> clock.instant().isBefore(p.expires()));
        String state = params.getOrDefault("state", "");
        if (pending.isEmpty()) {
            throw new SignInRefused(400, "no sign-in of this browser is in progress (it expired after "
                    + PENDING.toMinutes() + " minutes, or cookies are off): sign in again");
        }
        if (state.isEmpty() || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                pending.get().state().getBytes(StandardCharsets.UTF_8))) {
            throw new SignInRefused(400, state.isEmpty() ? "the provider's answer has no state"
                    : "the provider's answer is for another sign-in (its state is not this browser's)");
        }
        if (params.containsKey("error")) {
            String error = ProviderMetadata.shorten(params.get("error"));
            String description = ProviderMetadata.shorten(params.getOrDefault("error_description", ""));
            throw new SignInRefused(error.equals("access_denied") ? 403 : 401, "the provider refused the sign-in: "
                    + error + (description.isEmpty() ? "" : " (" + description + ")"));
        }
        String code = params.getOrDefault("code", "");
        if (code.isEmpty()) {
            throw new SignInRefused(400, "the provider's answer has no code");
        }
        take(state, pending.get().expires());
        try {
            return principal(tokens.verify(exchange(code, pending.get()), pending.get().nonce()));
        } catch (ProviderUnavailable e) {
            // The provider failed, not the callback: the browser may try the same one again.
            taken.remove(state);
            throw e;
        }
    }

    /** Marks the callback of {@code state} taken; a second one is a replay. */
    private void take(String state, Instant expires) {
        Instant now = clock.instant();
        if (taken.size() >= MAX_REPLAYS_KEPT) {
            taken.values().removeIf(until -> !now.isBefore(until));
        }
        // Still full (someone starting and spending sign-ins in bulk): forget the oldest rather than refuse everyone;
        // its code is single-use at the provider all the same.
        while (taken.size() >= MAX_REPLAYS_KEPT) {
            taken.entrySet().stream().min(Map.Entry.comparingByValue())
                    .ifPresent(oldest -> taken.remove(oldest.getKey(), oldest.getValue()));
        }
        if (taken.putIfAbsent(state, expires) != null) {
            throw new SignInRefused(400, "this sign-in has been used already: sign in again");
        }
    }

    /** The ID token the provider gives for {@code code}. */
    private String exchange(String code, PendingSignIn pending) {
        ProviderMetadata metadata = discovery.metadata();
        FormBody.Builder form = new FormBody.Builder().add("grant_type", "authorization_code").add("code", code)
                .add("redirect_uri", pending.redirectUri()).add("code_verifier", pending.verifier());
        Optional<String> authorization = Optional.empty();
        if (metadata.secretInForm()) {
            form.add("client_id", config.clientId()).add("client_secret", config.clientSecret());
        } else {
            // RFC 6749, 2.3.1: each form-encoded before they join.
            String pair = formEncode(config.clientId()) + ":" + formEncode(config.clientSecret());
            authorization = Optional.of("Basic " + Base64.getEncoder().encodeToString(
                    pair.getBytes(StandardCharsets.UTF_8)));
        }
        ProviderHttp.Answer answer = http.post(metadata.tokenEndpoint(), form.build(), authorization,
                "the code exchange");
        if (answer.status() >= 500) {
            throw new ProviderUnavailable("the provider's token endpoint answered HTTP " + answer.status());
        }
        if (answer.status() != 200) {
            String error = ProviderMetadata.shorten(answer.body().path("error").asText("HTTP " + answer.status()));
            String description = ProviderMetadata.shorten(answer.body().path("error_description").asText(""));
            throw new SignInRefused(401, "the provider refused to exchange the code: " + error
                    + (description.isEmpty() ? "" : " (" + description + ")"));
        }
        JsonNode idToken = answer.body().path("id_token");
        if (!idToken.isTextual()) {
            throw new SignInRefused(401, "the provider's token response has no id_token (is \"openid\" among the"
                    + " client's scopes?)");
        }
        return idToken.asText();
    }

    /** The user of {@code claims}: named, not one of berth's own accounts, with the groups the rules name. */
    private Principal principal(JWTClaimsSet claims) {
        Object preferred = claims.getClaim("preferred_username");
        String name = preferred instanceof String s && !s.isBlank() ? s : claims.getSubject();
        if (name == null || name.isBlank() || name.length() > MAX_NAME || !name.codePoints().allMatch(
                c -> c > 0x20 && c != 0x7f)) {
            throw new SignInRefused(401, "the ID token names no usable user (preferred_username or sub: printable,"
                    + " no spaces, at most " + MAX_NAME + " characters)");
        }
        if (own.fingerprint(name).isPresent()) {
            throw new SignInRefused(403, name, name + " is an account of berth's own: it signs in with its password,"
                    + " not through the provider");
        }
        Set<String> groups = new TreeSet<>();
        Object claim = claims.getClaim(config.groupsClaim());
        List<?> listed = claim instanceof List<?> list ? list : claim == null ? List.of() : List.of(claim);
        for (Object group : listed) {
            // Keycloak writes full paths ("/devs") unless told otherwise: both spellings name the group.
            if (group instanceof String g) {
                String bare = g.startsWith("/") ? g.substring(1) : g;
                if (ruleGroups.contains(g)) {
                    groups.add(g);
                } else if (ruleGroups.contains(bare)) {
                    groups.add(bare);
                }
            }
        }
        return Principal.user(name, groups);
    }

    /**
     * Where to send a browser whose user signed out of berth so that they sign out of the provider too, coming back
     * to {@code returnTo}: the provider's {@code end_session_endpoint}, when berth knows one (asking the provider for
     * nothing: signing out never waits for it).
     */
    public Optional<URI> signOut(String returnTo) {
        return discovery.known().flatMap(ProviderMetadata::endSessionEndpoint).map(end -> withQuery(end,
                Map.of("client_id", config.clientId(), "post_logout_redirect_uri", returnTo)));
    }

    /** Whether a session of {@code who} was opened through the provider (not one of berth's own accounts). */
    public boolean signedIn(Principal who) {
        return who.user().filter(user -> own.fingerprint(user).isEmpty()).isPresent();
    }

    /** The origin of the provider's issuer, to which the page's forms may lead (signing out there). */
    public String origin() {
        URI issuer = config.issuer();
        return issuer.getScheme() + "://" + issuer.getRawAuthority();
    }

    private static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static URI withQuery(URI endpoint, Map<String, String> query) {
        StringBuilder url = new StringBuilder(endpoint.toString());
        char separator = endpoint.getRawQuery() == null ? '?' : '&';
        for (Map.Entry<String, String> entry : query.entrySet()) {
            url.append(separator).append(formEncode(entry.getKey())).append('=').append(formEncode(entry.getValue()));
            separator = '&';
        }
        return URI.create(url.toString());
    }

    private static String formEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
