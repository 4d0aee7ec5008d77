package dev.berth.auth;

import java.time.Duration;
import java.time.Instant;

/** A token as the token endpoint hands it out. */
public record IssuedToken(String token, Duration expiresIn, Instant issuedAt) {
}
