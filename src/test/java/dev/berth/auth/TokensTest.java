package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokensTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T00:00:00Z"));
    private final Tokens tokens = new Tokens("berth", Duration.ofMinutes(5), clock);

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
    void forgedOrForeignTokensAreRefused() {
        String token = tokens.issue(Principal.ANONYMOUS, List.of(new Scope("a", Set.of(Action.PULL)))).token();
        assertEquals(Principal.ANONYMOUS, tokens.verify(token).orElseThrow().principal());
        String[] parts = token.split("\\.");
        String otherPayload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"iss\":\"berth\",\"sub\":\"admin\",\"aud\":\"berth\",\"exp\":9999999999,\"nbf\":0}".getBytes());
        assertTrue(tokens.verify(parts[0] + "." + otherPayload + "." + parts[2]).isEmpty(), "payload changed");
        assertTrue(new Tokens("berth", Duration.ofMinutes(5), clock).verify(token).isEmpty(), "another key");
        assertTrue(tokens.verify("not.a-token").isEmpty());
        assertTrue(tokens.verify("").isEmpty());
    }
}
