package dev.berth.auth;

import java.util.List;

/** What a valid token says: who it was issued to, and what it grants. */
public record VerifiedToken(Principal principal, List<Scope> access) {
    /** Whether the token grants {@code action} on {@code repository} (the name as the client wrote it). */
    public boolean grants(String repository, Action action) {
        return access.stream().anyMatch(s -> s.repository().equals(repository) && s.actions().contains(action));
    }
}
