package dev.berth.auth;

import java.time.Instant;
import java.util.List;

/** What a valid token says: who it was issued to, what it grants, its id ({@code jti}), when it was issued and ends. */
public record VerifiedToken(Principal principal, List<Scope> access, String id, Instant issuedAt, Instant expiresAt) {
    /** Whether the token grants {@code action} on {@code repository} (the name as the client wrote it). */
    public boolean grants(String repository, Action action) {
        return access.stream().anyMatch(s -> s.repository().equals(repository) && s.actions().contains(action));
    }
}
