package dev.berth.retention;

import java.time.Instant;
import java.util.List;

/**
 * A dry run (what a round would remove at {@code at}) or a round (what it removed): one plan per private repository
 * that a rule matches, and warnings in words about the rules (one that matches no repository).
 */
public record RetentionReport(Instant at, boolean dryRun, List<RepositoryPlan> repositories, List<String> warnings) {
    /** Whether any tag or manifest goes (or went). */
    public boolean removesAnything() {
        return repositories.stream().anyMatch(RepositoryPlan::removesAnything);
    }

    /** The tags that go, in all repositories. */
    public int removedTags() {
        return repositories.stream().mapToInt(p -> p.removedTags().size()).sum();
    }

    /** The manifests that go, in all repositories. */
    public int removedManifests() {
        return repositories.stream().mapToInt(p -> p.removedManifests().size()).sum();
    }
}
