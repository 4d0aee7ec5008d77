package dev.berth.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived tokens of the Docker token flow, as JWTs signed with HMAC-SHA256. A single berth signs with a key made
 * at start, which never leaves the process (after a restart clients simply fetch new tokens, as they do when one
 * expires); instances that share a store sign with a key drawn from the cluster secret, so any of them accepts a token
 * another issued. A user's token carries the fingerprint of the account it was issued to, checked on every use: a
 * removed account or a changed password ends its tokens at once; and the groups an identity provider put the user in,
 * so that rules naming them apply wherever the token is checked. A token issued to an access token's holder carries
 * that access token's id instead, and lives no longer than it (revoked, expired, or its creator's account ended).
 */
public final class Tokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final String HEADER = ENCODER.encodeToString(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    private static final String ISSUER = "berth";
    private static final String ACCOUNT = "acc";
    private static final String GROUPS = "grp";
    /** The id of the access token a token was issued from: checked live at every use. */
    private static final String ACCESS_TOKEN = "tok";

    private final byte[] key;
    private final String service;
    private final Duration ttl;
    private final Clock clock;
    private final Accounts accounts;
    private final AccessTokenCheck accessTokens;

    /** Tokens signed with a key of this process alone, for users of {@code accounts}. */
    public Tokens(String service, Duration ttl, Clock clock, Accounts accounts) {
        this(service, randomKey(), ttl, clock, accounts);
    }

    /** Tokens signed with {@code key}, which every instance that must accept them shares; users of {@code accounts}. */
    public Tokens(String service, byte[] key, Duration ttl, Clock clock, Accounts accounts) {
        this(service, key, ttl, clock, accounts, AccessTokenCheck.NONE);
    }

    /** As {@link #Tokens(String, byte[], Duration, Clock, Accounts)}, and for holders of {@code accessTokens}. */
    public Tokens(String service, byte[] key, Duration ttl, Clock clock, Accounts accounts,
                  AccessTokenCheck accessTokens) {
        this.key = key.clone();
        this.service = service;
        this.ttl = ttl;
        this.clock = clock;
        this.accounts = accounts;
        this.accessTokens = accessTokens;
    }

    /** As {@link #Tokens(String, Duration, Clock, Accounts)}, and for holders of {@code accessTokens}. */
    public Tokens(String service, Duration ttl, Clock clock, Accounts accounts, AccessTokenCheck accessTokens) {
        this(service, randomKey(), ttl, clock, accounts, accessTokens);
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** The service name in challenges and tokens. */
    public String service() {
        return service;
    }

    /** A token for {@code who} granting {@code access}. */
    public IssuedToken issue(Principal who, List<Scope> access) {
        Instant now = clock.instant();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", who.user().orElse(""));
        if (who.token().isPresent()) {
            claims.put(ACCESS_TOKEN, who.token().get().id());
        } else {
            who.user().ifPresent(user -> claims.put(ACCOUNT, accounts.fingerprint(user).orElse("")));
        }
        if (!who.groups().isEmpty()) {
            claims.put(GROUPS, who.groups().stream().sorted().toList());
        }
        claims.put("aud", service);
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(ttl).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access.stream().map(s -> Map.of("type", "repository", "name", s.repository(),
                "actions", s.actions().stream().sorted().map(Action::scopeName).toList())).toList());
        try {
            String payload = ENCODER.encodeToString(JSON.writeValueAsBytes(claims));
            String signed = HEADER + "." + payload;
            return new IssuedToken(signed + "." + sign(signed), ttl, now);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write token claims", e);
        }
    }

    /**
     * What {@code token} grants, when it is one of ours, for this service, not expired, and (a user's) issued to the
     * account as it is now.
     */
    public Optional<VerifiedToken> verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !parts[0].equals(HEADER)) {
            return Optional.empty();
        }
        byte[] expected = sign(parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        try {
            JsonNode claims = JSON.readTree(DECODER.decode(parts[1]));
            long now = clock.instant().getEpochSecond();
            if (!ISSUER.equals(claims.path("iss").asText()) || !service.equals(claims.path("aud").asText())
                    || now >= claims.path("exp").asLong(0) || now < claims.path("nbf").asLong(Long.MAX_VALUE)) {
                return Optional.empty();
            }
            String subject = claims.path("sub").asText("");
            Optional<Principal> who;
            if (claims.has(ACCESS_TOKEN)) {
                // Issued from an access token: as long as that token lives, and as its holder, whom it limits.
                who = subject.isEmpty() ? Optional.empty()
                        : accessTokens.live(subject, claims.path(ACCESS_TOKEN).asText(""));
            } else if (subject.isEmpty()) {
                who = Optional.of(Principal.ANONYMOUS);
            } else {
                Set<String> groups = new TreeSet<>();
                claims.path(GROUPS).forEach(group -> groups.add(group.asText()));
                who = sameAccount(subject, claims.path(ACCOUNT).asText(""))
                        ? Optional.of(Principal.user(subject, groups)) : Optional.empty();
            }
            if (who.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new VerifiedToken(who.get(), access(claims.path("access")), claims.path("jti").asText(""),
                    Instant.ofEpochSecond(claims.path("iat").asLong(0)),
                    Instant.ofEpochSecond(claims.path("exp").asLong(0))));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code user}'s account still has the fingerprint the token was issued with. */
    private boolean sameAccount(String user, String fingerprint) {
        byte[] now = accounts.fingerprint(user).orElse("").getBytes(StandardCharsets.US_ASCII);
        return now.length > 0 && MessageDigest.isEqual(now, fingerprint.getBytes(StandardCharsets.US_ASCII));
    }

    private static List<Scope> access(JsonNode list) {
        List<Scope> scopes = new ArrayList<>();
        for (JsonNode entry : list) {
            Set<Action> actions = EnumSet.noneOf(Action.class);
            entry.path("actions").forEach(a -> Action.fromScopeName(a.asText()).ifPresent(actions::add));
            scopes.add(new Scope(entry.path("name").asText(), actions));
        }
        return scopes;
    }

    private String sign(String content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return ENCODER.encodeToString(mac.doFinal(content.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
