package dev.berth.retention;

import dev.berth.cluster.RoundGate;
import dev.berth.config.BerthConfig;
import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.ImmutableTags;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.PushedTag;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Retention of private repositories ({@code retention.rules}): the dry run, which plans without removing, and the
 * round, which removes what the plan says, one repository at a time while no push to it is under way, then has the
 * garbage collection free the blobs. Rounds run on one instance of a fleet at a time (its {@link RoundGate}).
 */
public final class Retention {
    private static final Logger LOG = System.getLogger(Retention.class.getName());

    private final LocalRegistry registry;
    private final Predicate<RepoName> isPrivate;
    private final List<BerthConfig.RetentionRule> rules;
    private final ImmutableTags immutable;
    private final RetentionEvents events;
    private final Clock clock;
    private final Executor rounds;
    private final RoundGate gate;
    private final Runnable collection;
    private volatile Optional<RetentionReport> lastRound = Optional.empty();

    /**
     * Over the repositories of {@code registry} that {@code isPrivate} says are; removals are told to {@code events};
     * rounds asked for early run on {@code rounds} (the executor of the scheduled ones), and {@code collection}
     * runs after a round that removed something.
     */
    public Retention(LocalRegistry registry, Predicate<RepoName> isPrivate, List<BerthConfig.RetentionRule> rules,
                     ImmutableTags immutable, RetentionEvents events, Clock clock, Executor rounds, RoundGate gate,
                     Runnable collection) {
        this.registry = registry;
        this.isPrivate = isPrivate;
        this.rules = List.copyOf(rules);
        this.immutable = immutable;
        this.events = events;
        this.clock = clock;
        this.rounds = rounds;
        this.gate = gate;
        this.collection = collection;
    }

    /** Whether any rule is configured (without one there are no rounds). */
    public boolean configured() {
        return !rules.isEmpty();
    }

    /** What a round would remove now, removing nothing. */
    public RetentionReport dryRun() {
        Instant now = clock.instant();
        List<RepoName> privates = privateRepositories();
        List<RepositoryPlan> plans = new ArrayList<>();
        for (RepoName name : matched(privates)) {
            plan(name, now).ifPresent(plans::add);
        }
        return new RetentionReport(now, true, List.copyOf(plans), ruleWarnings(plans, privates));
    }

    /** The last round this instance finished (with the collection after it), if any. */
    public Optional<RetentionReport> lastRound() {
        return lastRound;
    }

    /** One round, on this instance when it is its turn; then a garbage collection if anything was removed. */
    public void round() {
        gate.runIfMine("retention", () -> {
            RetentionReport report = remove();
            try {
                if (report.removesAnything()) {
                    LOG.log(Logger.Level.INFO, "retention removed " + report.removedTags() + " tags and "
                            + report.removedManifests() + " manifests of private repositories");
                    collection.run();
                }
            } finally {
                // Shown once its collection is done too, so that what it freed is gone when it shows.
                lastRound = Optional.of(report);
            }
        });
    }

    /** Runs a round soon, after any round under way, rather than at the scheduled time. */
    public void roundSoon() {
        rounds.execute(this::round);
    }

    private RetentionReport remove() {
        Instant now = clock.instant();
        List<RepositoryPlan> done = new ArrayList<>();
        List<RepoName> privates = privateRepositories();
        for (RepoName name : matched(privates)) {
            Optional<Optional<RepositoryPlan>> removed = registry.whileNoPush(name,
                    () -> plan(name, now).map(this::apply));
            (removed.isPresent() ? removed.get() : plan(name, now).map(Retention::skipped)).ifPresent(done::add);
        }
        return new RetentionReport(now, false, List.copyOf(done), ruleWarnings(done, privates));
    }

    /**
     * A repository left alone because a push to it was under way: everything stays, and its warning says why (in
     * the repository's plan, shown only to whoever administers it).
     */
    private static RepositoryPlan skipped(RepositoryPlan plan) {
        List<PushedTag> tags = new ArrayList<>(plan.keptTags());
        tags.addAll(plan.removedTags());
        return new RepositoryPlan(plan.name(), plan.rule(), List.copyOf(tags), List.of(), plan.manifests(), List.of(),
                List.of(plan.name() + " was skipped: a push to it was under way; the next round sees to it"));
    }

    /** Removes what {@code plan} says, tags first (then their manifests are untagged); what was in fact removed. */
    private RepositoryPlan apply(RepositoryPlan plan) {
        List<PushedTag> tags = new ArrayList<>();
        for (PushedTag tag : plan.removedTags()) {
            if (registry.removeTag(plan.name(), tag.tag(), tag.digest())) {
                events.tagRemoved(plan.name(), tag.tag(), tag.digest());
                tags.add(tag);
            }
        }
        List<Digest> manifests = new ArrayList<>();
        for (Digest digest : plan.removedManifests()) {
            if (registry.removeUntagged(plan.name(), digest)) {
                events.manifestRemoved(plan.name(), digest);
                manifests.add(digest);
            }
        }
        return new RepositoryPlan(plan.name(), plan.rule(), plan.keptTags(), List.copyOf(tags), plan.manifests(),
                List.copyOf(manifests), plan.warnings());
    }

    private Optional<RepositoryPlan> plan(RepoName name, Instant now) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).matches(name.value())) {
                return Optional.of(RetentionPlanner.plan(registry.images(name), i, rules.get(i), immutable, now));
            }
        }
        return Optional.empty();
    }

    private List<RepoName> privateRepositories() {
        return registry.catalog().stream().map(RepoName::of).filter(isPrivate).toList();
    }

    /** Of {@code privates}, those some rule matches. */
    private List<RepoName> matched(List<RepoName> privates) {
        return privates.stream().filter(name -> rules.stream().anyMatch(rule -> rule.matches(name.value()))).toList();
    }

    /**
     * A warning for each rule that no planned repository used (it matches nothing, or an earlier rule wins), and for
     * each that matches every one of several private repositories, which may be more than meant.
     */
    private List<String> ruleWarnings(List<RepositoryPlan> plans, List<RepoName> privates) {
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            int index = i;
            BerthConfig.RetentionRule rule = rules.get(i);
            String named = "retention.rules." + i + " (" + rule.repositories() + ")";
            if (plans.stream().noneMatch(plan -> plan.rule() == index)) {
                warnings.add(named + " matches no private repository" + (i > 0 ? " that an earlier rule does not" : ""));
            } else if (privates.size() > 1 && privates.stream().allMatch(name -> rule.matches(name.value()))) {
                warnings.add(named + " matches every private repository (" + privates.size() + ")");
            }
        }
        return warnings;
    }
}
