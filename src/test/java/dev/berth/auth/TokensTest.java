package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.FingerprintAccounts;
import dev.berth.support.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T00:00:00Z"));
    /** Each user's account fingerprint, as the htpasswd file would give it. */
    private final FingerprintAccounts accounts = new FingerprintAccounts(Map.of("alice", "a1", "bob", "b1"));
    private final Tokens tokens = new Tokens("berth", Duration.ofMinutes(5), clock, accounts);

    @Test
    void aTokenCarriesItsSubjectAndScopesUntilItExpires() {
        String token = tokens.issue(Principal.user("alice"),
                List.of(new Scope("team/app", EnumSet.of(Action.PULL, Action.PUSH)))).token();
        VerifiedToken verified = tokens.verify(token).orElseThrow();
        assertEquals(Principal.user("alice"), verified.principal());
        assertTrue(verified.grants("team/app", Action.PUSH));
        assertFalse(verified.grants("team/app", Action.DELETE));
        assertFalse(verified.grants("team/other", Action.PULL));
        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertTrue(tokens.verify(token).isPresent());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(tokens.verify(token).isEmpty(), "expired");
    }

    @Test
    void theGroupsAProviderGaveTravelWithTheTokenAndEndWithTheProviderItsAccountsNamed() {
        byte[] key = new byte[32];
        Tokens provider = new Tokens("berth-ui", key, Duration.ofHours(8), clock,
                new ProviderAccounts(accounts, "https://sso.example.org/realms/team", "berth"));
        String carols = provider.issue(Principal.user("carol", Set.of("devs", "ops")), List.of()).token();
        assertEquals(Principal.user("carol", Set.of("devs", "ops")), provider.verify(carols).orElseThrow().principal());
        assertEquals(Set.of(), provider.verify(provider.issue(Principal.user("alice"), List.of()).token())
                .orElseThrow().principal().groups(), "berth's own account: no provider groups");

        Tokens otherClient = new Tokens("berth-ui", key, Duration.ofHours(8), clock,
                new ProviderAccounts(accounts, "https://sso.example.org/realms/team", "another-client"));
        assertTrue(otherClient.verify(carols).isEmpty(), "auth.oidc changed: the provider's sessions end");
        assertTrue(otherClient.verify(otherClient.issue(Principal.user("carol"), List.of()).token()).isPresent(),
                "the same key: only the provider's fingerprint differs");
        accounts.put("carol", "c1");
        assertTrue(provider.verify(carols).isEmpty(), "carol became one of berth's own accounts: not the provider's");
    }

    @Test
    void aUsersTokenEndsWithTheAccountOrItsPassword() {
        String alices = tokens.issue(Principal.user("alice"), List.of()).token();
        String bobs = tokens.issue(Principal.user("bob"), List.of()).token();
        String anonymous = tokens.issue(Principal.ANONYMOUS, List.of()).token();
        assertTrue(tokens.verify(alices).isPresent());

        accounts.put("alice", "a2");
        assertTrue(tokens.verify(alices).isEmpty(), "her password changed");
        assertTrue(tokens.verify(tokens.issue(Principal.user("alice"), List.of()).token()).isPresent(), "a new one");
        accounts.remove("bob");
        assertTrue(tokens.verify(bobs).isEmpty(), "his account is gone");
        assertTrue(tokens.verify(anonymous).isPresent(), "an anonymous token belongs to no account");
        byte[] key = new byte[32];
        String signed = new Tokens("berth", key, Duration.ofMinutes(5), clock, accounts)
                .issue(Principal.user("alice"), List.of()).token();
        assertTrue(new Tokens("berth", key, Duration.ofMinutes(5), clock, Accounts.NONE).verify(signed).isEmpty(),
                "without accounts no user's token passes, whatever signed it");
    }

    @Test
    void forgedOrForeignTokensAreRefused() {
        String token = tokens.issue(Principal.ANONYMOUS, List.of(new Scope("a", Set.of(Action.PULL)))).token();
        assertEquals(Principal.ANONYMOUS, tokens.verify(token).orElseThrow().principal());
        String[] parts = token.split("\\.");
        String otherPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"iss\":\"berth\",\"sub\":\"admin\",\"aud\":\"berth\",\"exp\":9999999999,\"nbf\":0}".getBytes());
        assertTrue(tokens.verify(parts[0] + "." + otherPayload + "." + parts[2]).isEmpty(), "payload changed");
        assertTrue(new Tokens("berth", Duration.ofMinutes(5), clock, accounts).verify(token).isEmpty(), "another key");
        assertTrue(tokens.verify("not.a-token").isEmpty());
        assertTrue(tokens.verify("").isEmpty());
    }

    @Test
    void instancesSharingAClusterSecretAcceptEachOthersTokens(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.key");
        Files.writeString(file, "0123456789abcdef0123456789abcdef0123456789\n");
        byte[] key = ClusterSecret.load(file).key("tokens");
        Tokens one = new Tokens("berth", key, Duration.ofMinutes(5), clock, accounts);
        Tokens other = new Tokens("berth", ClusterSecret.load(file).key("tokens"), Duration.ofMinutes(5), clock, accounts);
        String token = one.issue(Principal.user("alice"), List.of(new Scope("team/app", Set.of(Action.PUSH)))).token();
        assertTrue(other.verify(token).orElseThrow().grants("team/app", Action.PUSH));
        Files.writeString(file, "another secret of more than thirty-two characters");
        Tokens stranger = new Tokens("berth", ClusterSecret.load(file).key("tokens"), Duration.ofMinutes(5), clock, accounts);
        assertTrue(stranger.verify(token).isEmpty(), "another cluster's secret");
        assertFalse(java.util.Arrays.equals(key, ClusterSecret.load(file).key("peers")), "a key per purpose");
    }

    @Test
    void aMissingOrShortSecretFileSaysHowToMakeOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.key");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ClusterSecret.load(file));
        assertTrue(missing.getMessage().contains("does not exist") && missing.getMessage().contains("/dev/urandom"),
                missing.getMessage());
        Files.writeString(file, "short\n");
        IllegalArgumentException shortOne = assertThrows(IllegalArgumentException.class,
                () -> ClusterSecret.load(file));
        assertTrue(shortOne.getMessage().contains("5 characters") && !shortOne.getMessage().contains("short"),
                shortOne.getMessage());
    }
}
