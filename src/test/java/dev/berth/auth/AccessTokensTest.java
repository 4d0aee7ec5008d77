package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.ConfigLoader;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.FingerprintAccounts;
import dev.berth.support.MutableClock;
import dev.berth.support.Poll;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access tokens as kept and checked, without HTTP: hashed in the store, a login only with the right secret while
 * live, limited by their scopes and by what their creator may do, and ended by revocation (on every instance sharing
 * the store), expiry and the end of the creator's account; registry tokens issued from one die with it.
 */
class AccessTokensTest {
    private static final String RULES = """
            auth:
              htpasswd: /etc/htpasswd
              rules:
                - {repositories: ['team/secret'], pull: [alice]}
                - {repositories: ['team/*'], pull: ['*'], push: [alice], delete: [alice]}
                - {repositories: ['*'], pull: ['*']}
            """;

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final FingerprintAccounts accounts = new FingerprintAccounts(Map.of("alice", "fa", "bob", "fb"));
    private final AccessRules rules = new AccessRules(ConfigLoader.fromYaml(RULES).auth());

    private AccessTokens tokens() {
        return new AccessTokens(new FileSystemStorage(root), clock, accounts, accounts, rules);
    }

    private static TokenRequest request(String name, String... actions) {
        return TokenRequest.of(name, List.of("team/*"), List.of(actions), "30d");
    }

    @Test
    void aTokenLogsInOnlyWithItsSecretAndItsSecretIsKeptOnlyAsSha256() throws Exception {
        AccessTokens tokens = tokens();
        AccessTokens.Created created = tokens.create(Principal.user("alice"), request("ci-push", "pull", "push"));
        String secret = created.secret();
        assertTrue(AccessTokens.looksLikeSecret(secret), secret);

        Principal holder = tokens.login("ci-push", secret).orElseThrow();
        assertEquals(Optional.of("ci-push"), holder.user());
        assertEquals("alice", holder.token().orElseThrow().creator().user().orElseThrow());
        char last = secret.charAt(secret.length() - 1);
        String oneCharOff = secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertTrue(tokens.login("ci-push", oneCharOff).isEmpty(), "a wrong secret");
        assertTrue(tokens.login("ci-push", "berth_" + "x".repeat(43)).isEmpty(), "a wrong secret");
        assertTrue(tokens.login("other", secret).isEmpty(), "another name");
        assertTrue(tokens.login("ci-push", "alice's password").isEmpty());

        byte[] stored = Files.readAllBytes(root.resolve("tokens/active/ci-push"));
        String text = new String(stored, StandardCharsets.UTF_8);
        assertFalse(text.contains(secret.substring(6)), "the secret is not kept");
        JsonNode doc = new ObjectMapper().readTree(stored);
        assertEquals(HexFormat.of().formatHex(Sha256.of(secret.getBytes(StandardCharsets.US_ASCII))),
                doc.path("secretSha256").asText());
        assertEquals("alice", doc.path("creator").asText());
        assertEquals(List.of("team/*"), List.of(doc.path("repositories").get(0).asText()));
        assertEquals(Instant.parse("2026-12-31T00:00:00Z").getEpochSecond(), doc.path("expires").asLong());
    }

    @Test
    void aUserSignedInThroughTheProviderMakesTokensThatLastAsLongAsTheProviderDoes() {
        // carol is no account of berth's: the single sign-on provider vouched for her, as for her page session.
        ProviderAccounts provider = new ProviderAccounts(accounts, "https://sso.example.org/realms/team", "berth");
        AccessTokens tokens = new AccessTokens(new FileSystemStorage(root), clock, accounts, provider, rules);
        String secret = tokens.create(Principal.user("carol", Set.of("devs")), request("ci-carol", "pull")).secret();
        assertEquals("carol", tokens.login("ci-carol", secret).orElseThrow().token().orElseThrow().creator().user()
                .orElseThrow());
        assertThrows(TokenRequestRefused.class, () -> tokens.create(Principal.user("carol"), request("bob", "pull")),
                "a name of berth's own accounts is still taken");

        AccessTokens withoutProvider = tokens();
        assertTrue(withoutProvider.login("ci-carol", secret).isEmpty(), "auth.oidc gone: her tokens end");
    }

    @Test
    void theHolderMayDoWhatTheTokenNamesAndTheCreatorMayNowAndNothingElse() {
        AccessTokens tokens = tokens();
        String secret = tokens.create(Principal.user("alice"), request("ci", "pull", "push")).secret();
        Principal holder = tokens.login("ci", secret).orElseThrow();

        assertEquals(EnumSet.of(Action.PULL, Action.PUSH), rules.allowed(holder, "team/app", false));
        assertEquals(Set.of(Action.PULL), rules.allowed(holder, "team/secret", false),
                "a more specific rule grants alice only pull there");
        assertEquals(Set.of(), rules.allowed(holder, "elsewhere/app", false), "outside its globs");
        assertFalse(rules.administersAny(holder), "a token administers nothing");
        assertFalse(rules.administers(holder, "team/app"));

        // The rules change: alice may no longer push to team/*; her token's holder neither.
        AccessRules stricter = new AccessRules(ConfigLoader.fromYaml("""
                auth:
                  htpasswd: /etc/htpasswd
                  rules:
                    - {repositories: ['team/*'], pull: ['*'], push: [bob]}
                """).auth());
        assertEquals(Set.of(Action.PULL), stricter.allowed(holder, "team/app", false));
    }

    @Test
    void aTokenIsRefusedAtCreationWhenItWouldGrantMoreThanItsCreatorMay() {
        AccessTokens tokens = tokens();
        TokenRequestRefused push = assertThrows(TokenRequestRefused.class,
                () -> tokens.create(Principal.user("bob"), request("bobs", "pull", "push")));
        assertEquals(TokenRequestRefused.Reason.BEYOND_CREATOR, push.reason());
        assertEquals("bob may not push team/*, so no token of theirs may", push.getMessage());
        TokenRequestRefused wider = assertThrows(TokenRequestRefused.class, () -> tokens.create(
                Principal.user("alice"), TokenRequest.of("wide", List.of("*"), List.of("push"), null)));
        assertEquals(TokenRequestRefused.Reason.BEYOND_CREATOR, wider.reason());
        assertEquals(TokenRequestRefused.Reason.BEYOND_CREATOR, assertThrows(TokenRequestRefused.class,
                () -> tokens.create(Principal.ANONYMOUS, request("anon", "pull"))).reason());
        Principal holder = tokens.login("x", "y").orElse(Principal.accessToken("ci", new TokenGrant("id",
                Principal.user("alice"), List.of(), Set.of(Action.PULL))));
        assertEquals(TokenRequestRefused.Reason.BEYOND_CREATOR, assertThrows(TokenRequestRefused.class,
                () -> tokens.create(holder, request("chained", "pull"))).reason(), "no token makes tokens");
        assertTrue(tokens.list().isEmpty());
        tokens.create(Principal.user("bob"), request("bobs", "pull"));
        assertEquals(List.of("bobs"), tokens.list().stream().map(AccessToken::name).toList());
    }

    @Test
    void aNameTakenByATokenOrAnAccountIsRefused() {
        AccessTokens tokens = tokens();
        tokens.create(Principal.user("alice"), request("ci", "pull"));
        TokenRequestRefused again = assertThrows(TokenRequestRefused.class,
                () -> tokens.create(Principal.user("alice"), request("ci", "pull")));
        assertEquals(TokenRequestRefused.Reason.TAKEN, again.reason());
        TokenRequestRefused account = assertThrows(TokenRequestRefused.class,
                () -> tokens.create(Principal.user("alice"), request("bob", "pull")));
        assertEquals(TokenRequestRefused.Reason.TAKEN, account.reason());
        assertEquals("the name bob is an account's; choose another", account.getMessage());
    }

    @Test
    void malformedNamesGlobsActionsAndLifetimesAreRefusedSayingWhat() {
        List<String> team = List.of("team/*");
        List<String> pull = List.of("pull");
        assertInvalid("name 'CI' is not valid", () -> TokenRequest.of("CI", team, pull, null));
        assertInvalid("name 'a' is not valid", () -> TokenRequest.of("a", team, pull, null));
        assertInvalid("name '../etc' is not valid", () -> TokenRequest.of("../etc", team, pull, null));
        assertInvalid("name '" + "a".repeat(65) + "' is not valid", () -> TokenRequest.of("a".repeat(65), team, pull,
                null));
        assertInvalid("name (none) is not valid", () -> TokenRequest.of(null, team, pull, null));
        assertInvalid("name 'ci?x' is not valid", () -> TokenRequest.of("ci\nx", team, pull, null));
        assertInvalid("repositories must list 1 to 32", () -> TokenRequest.of("ci-x", List.of(), pull, null));
        assertInvalid("repository glob 'Team/*' is not valid", () -> TokenRequest.of("ci-x", List.of("Team/*"),
                pull, null));
        assertInvalid("repository glob 'team/' is not valid", () -> TokenRequest.of("ci-x", List.of("team/"),
                pull, null));
        assertInvalid("repository glob 'a b' is not valid", () -> TokenRequest.of("ci-x", List.of("a b"), pull,
                null));
        assertInvalid("actions must name some of pull, push, delete", () -> TokenRequest.of("ci-x", team,
                List.of(), null));
        assertInvalid("action '*' is not one of pull, push, delete", () -> TokenRequest.of("ci-x", team,
                List.of("*"), null));
        assertInvalid("expires 'soon' is not a duration", () -> TokenRequest.of("ci-x", team, pull, "soon"));
        assertInvalid("expires '30m' is out of bounds: from 1h to 365d", () -> TokenRequest.of("ci-x", team, pull,
                "30m"));
        assertInvalid("expires '366d' is out of bounds", () -> TokenRequest.of("ci-x", team, pull, "366d"));
        assertEquals(Duration.ofDays(90), TokenRequest.of("ci-x", team, pull, null).lifetime());
        assertEquals(Duration.ofDays(365), TokenRequest.of("ci-x", team, pull, "365d").lifetime());
    }

    private static void assertInvalid(String start, org.junit.jupiter.api.function.Executable request) {
        TokenRequestRefused e = assertThrows(TokenRequestRefused.class, request);
        assertEquals(TokenRequestRefused.Reason.INVALID, e.reason());
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void aDamagedOrHandWrittenStoredTokenIsRefusedAndNotListed() throws Exception {
        AccessTokens tokens = tokens();
        String secret = tokens.create(Principal.user("alice"), request("ci", "pull")).secret();
        Path stored = root.resolve("tokens/active/ci");
        String good = Files.readString(stored);
        Files.writeString(stored, good.replace("\"name\":\"ci\"", "\"name\":\"other\""));
        assertTrue(tokens().login("ci", secret).isEmpty(), "an object that names another token");
        Files.writeString(stored, "{not json");
        assertTrue(tokens().login("ci", secret).isEmpty());
        assertTrue(tokens().list().isEmpty());
        Files.writeString(stored, good);
        assertTrue(tokens().login("ci", secret).isPresent(), "the same object, intact");
    }

    @Test
    void anExpiredTokenIsRefusedAtOnce() {
        AccessTokens tokens = tokens();
        String secret = tokens.create(Principal.user("alice"), TokenRequest.of("ci", List.of("team/*"),
                List.of("pull"), "1h")).secret();
        String id = tokens.find("ci").orElseThrow().id();
        assertTrue(tokens.login("ci", secret).isPresent());
        clock.advance(Duration.ofMinutes(59));
        assertTrue(tokens.live("ci", id).isPresent());
        clock.advance(Duration.ofMinutes(1));
        assertTrue(tokens.login("ci", secret).isEmpty());
        assertTrue(tokens.live("ci", id).isEmpty());
    }

    @Test
    void aTokenStopsWorkingWhenItsCreatorsAccountEnds() {
        AccessTokens tokens = tokens();
        String secret = tokens.create(Principal.user("bob"), request("bobs", "pull")).secret();
        assertTrue(tokens.login("bobs", secret).isPresent());
        accounts.remove("bob");
        assertTrue(tokens.login("bobs", secret).isEmpty());
        accounts.put("bob", "a new password");
        assertTrue(tokens.login("bobs", secret).isPresent(), "a changed password keeps the token: its secret is its"
                + " own");
    }

    @Test
    void aRevocationOnOneInstanceReachesAnotherSharingTheStoreWithinSeconds() throws Exception {
        AccessTokens one = tokens();
        AccessTokens other = tokens();
        String secret = one.create(Principal.user("alice"), request("ci", "pull")).secret();
        String id = one.find("ci").orElseThrow().id();
        assertTrue(other.login("ci", secret).isPresent(), "the other instance knows it from the store");
        assertTrue(other.live("ci", id).isPresent());

        one.revoke("ci");
        assertTrue(one.login("ci", secret).isEmpty(), "refused at once where it was revoked");
        Instant revoked = Instant.now();
        Poll.until(() -> other.login("ci", secret).isEmpty(), "the other instance to refuse it",
                Duration.ofSeconds(10));
        assertTrue(Duration.between(revoked, Instant.now()).compareTo(AccessTokens.REFRESH.plusSeconds(2)) < 0);
        assertTrue(other.live("ci", id).isEmpty());
        assertTrue(one.find("ci").isEmpty());
        assertFalse(Files.exists(root.resolve("tokens/active/ci")));

        String again = one.create(Principal.user("alice"), request("ci", "pull")).secret();
        assertTrue(one.live("ci", id).isEmpty(), "a new token of the same name does not bring the old one back");
        assertNotEquals(secret, again);
    }

    @Test
    void lastUseIsWrittenOncePerIntervalNotOncePerUse() throws Exception {
        AccessTokens tokens = tokens();
        String secret = tokens.create(Principal.user("alice"), request("ci", "pull")).secret();
        assertTrue(tokens.find("ci").orElseThrow().lastUsed().isEmpty());
        Path used = root.resolve("tokens/used/ci");
        tokens.login("ci", secret).orElseThrow();
        assertEquals(Optional.of(clock.instant()), tokens.find("ci").orElseThrow().lastUsed());
        byte[] first = Files.readAllBytes(used);
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 20; i++) {
            tokens.login("ci", secret).orElseThrow();
        }
        assertEquals(new String(first, StandardCharsets.UTF_8),
                new String(Files.readAllBytes(used), StandardCharsets.UTF_8), "not rewritten within the interval");
    }

    @Test
    void aRegistryTokenIssuedFromAnAccessTokenCarriesItsIdAndDiesWithIt() {
        AccessTokens tokens = tokens();
        Tokens registry = new Tokens("berth", Duration.ofMinutes(5), clock, accounts, tokens);
        String secret = tokens.create(Principal.user("alice"), request("ci", "pull")).secret();
        Principal holder = tokens.login("ci", secret).orElseThrow();
        String jwt = registry.issue(holder, List.of(new Scope("team/app", Set.of(Action.PULL)))).token();

        VerifiedToken verified = registry.verify(jwt).orElseThrow();
        assertEquals(holder, verified.principal(), "the holder, limited as the access token says");
        assertTrue(verified.grants("team/app", Action.PULL));

        tokens.revoke("ci");
        assertTrue(registry.verify(jwt).isEmpty(), "revoked: the registry token too");
        tokens.create(Principal.user("alice"), request("ci", "pull"));
        assertTrue(registry.verify(jwt).isEmpty(), "nor by a new token of the same name");
        Tokens withoutAccessTokens = new Tokens("berth", Duration.ofMinutes(5), clock, accounts);
        assertTrue(withoutAccessTokens.verify(registry.issue(holder, List.of()).token()).isEmpty());
    }
}
