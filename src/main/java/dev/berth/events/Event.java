package dev.berth.events;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One act: its id, when, what ({@link Act}), to what ({@link Target}), from where ({@link Origin}), by whom (the
 * user; empty: anonymous) and its result ({@link #OK}, or the error code that refused it).
 */
public record Event(String id, Instant time, Act act, Target target, Origin origin, Optional<String> actor,
                    String result) {
    /** The result of an act done. */
    public static final String OK = "ok";
    /** A new unique event id. */
    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Whether the act was done (not refused). */
    public boolean done() {
        return OK.equals(result);
    }
}
