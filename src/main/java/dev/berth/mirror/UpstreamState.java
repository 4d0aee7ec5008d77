package dev.berth.mirror;

import java.util.Optional;

/**
 * An upstream as the mirror's traffic last saw it: answering, or failing with {@code problem} (refused, timed out,
 * 5xx or 429) since its last answer. An upstream not asked since berth started counts as answering.
 */
public record UpstreamState(String registry, Optional<String> problem) {
    /** Whether the last request to it got an answer it could use. */
    public boolean answering() {
        return problem.isEmpty();
    }
}
