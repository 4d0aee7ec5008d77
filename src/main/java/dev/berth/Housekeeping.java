package dev.berth;

import dev.berth.admin.RoundHistory;
import dev.berth.auth.EndedSessions;
import dev.berth.budget.AccessIndex;
import dev.berth.budget.DiskBudget;
import dev.berth.cluster.RoundGate;
import dev.berth.jobs.SyncSchedule;
import dev.berth.observe.BerthMetrics;
import dev.berth.registry.GarbageCollector;
import dev.berth.registry.LocalRegistry;
import dev.berth.retention.Retention;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * berth's periodic rounds, each scheduled here with its period, and the one place that logs a round that failed (the
 * next one runs as scheduled). The rounds that walk the store (upload purge, garbage collection, the disk budget, the
 * access records and retention) share one thread, so that they never overlap; the sync schedule and the sign-out
 * refresher have one each, so that a long round delays neither. Where instances share a store, the round gate says
 * whose turn a collection, budget, retention or sync round is. In the assembly's package because its rounds come from
 * registry, budget, retention, jobs and auth, which none of them may import from the others.
 */
final class Housekeeping implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Housekeeping.class.getName());
    static final Duration PURGE_PERIOD = Duration.ofMinutes(10);
    static final Duration GC_PERIOD = Duration.ofHours(1);
    static final Duration BUDGET_PERIOD = Duration.ofMinutes(1);
    static final Duration RETENTION_PERIOD = Duration.ofHours(1);
    /** How often the sync schedule looks for entries due by the clock. */
    private static final Duration SYNC_TICK = Duration.ofSeconds(1);

    private final ScheduledExecutorService store = lane("berth-housekeeping");
    private final ScheduledExecutorService sync = lane("berth-sync");
    private final ScheduledExecutorService sessions = lane("berth-ended-sessions");
    private final RoundGate gate;

    /** Rounds that {@code gate} shares out among the instances of a store. */
    Housekeeping(RoundGate gate) {
        this.gate = gate;
    }

    private static ScheduledExecutorService lane(String thread) {
        return Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(thread).factory());
    }

    /** The gate of the rounds that one instance of a shared store runs at a time. */
    RoundGate gate() {
        return gate;
    }

    /** Where the disk budget runs a round early: the thread of the scheduled ones, so that rounds never overlap. */
    Executor budgetRounds() {
        return round -> store.execute(guarded("disk budget round", round));
    }

    /** Removes uploads left unfinished for {@code maxAge}: at once, then every {@link #PURGE_PERIOD}. */
    void purgeUploads(LocalRegistry registry, Duration maxAge, Clock clock) {
        every("upload cleanup", store, Duration.ZERO, PURGE_PERIOD, () -> {
            int purged = registry.purgeUploads(maxAge, clock.instant());
            if (purged > 0) {
                LOG.log(Logger.Level.INFO, "removed " + purged + " uploads unfinished after " + maxAge);
            }
        });
    }

    /** Where a retention round asked for early runs: the thread of the scheduled ones, so that rounds never overlap. */
    Executor retentionRounds() {
        return round -> store.execute(guarded("retention round", round));
    }

    /** Collects garbage every {@link #GC_PERIOD} on the instance whose turn it is, reporting each round. */
    void collectGarbage(GarbageCollector collector, BerthMetrics metrics, RoundHistory rounds) {
        // Not at start, which stays quick however much is stored; soon enough that frequent restarts still collect.
        every("garbage collection", store, PURGE_PERIOD, GC_PERIOD, collection(collector, metrics, rounds));
    }

    /** Runs {@code retention}'s rounds every {@link #RETENTION_PERIOD}, the first as the first collection's. */
    void retain(Retention retention) {
        if (retention.configured()) {
            every("retention round", store, PURGE_PERIOD, RETENTION_PERIOD, retention::round);
        }
    }

    /** One garbage collection on the instance whose turn it is, reported: scheduled, and after retention removed. */
    Runnable collection(GarbageCollector collector, BerthMetrics metrics, RoundHistory rounds) {
        return () -> gate.runIfMine("gc", () -> {
            GarbageCollector.Result result = collector.collect();
            metrics.collected(result.links(), result.blobs(), result.bytes());
            rounds.collected(result.links(), result.blobs(), result.bytes());
            if (result.blobs() > 0 || result.links() > 0) {
                LOG.log(Logger.Level.INFO, "garbage collection removed " + result.links() + " unreferenced links and "
                        + result.blobs() + " blobs (" + result.bytes() + " bytes)");
            }
        });
    }

    /**
     * Runs {@code budget}'s rounds every {@link #BUDGET_PERIOD}, or with the collection when {@code withCollection}
     * (then the access records are still saved every {@link #BUDGET_PERIOD}).
     */
    void keepBudget(DiskBudget budget, AccessIndex access, boolean withCollection) {
        Duration countEvery = withCollection ? GC_PERIOD : BUDGET_PERIOD;
        every("disk budget round", store, BUDGET_PERIOD, countEvery, budget);
        if (withCollection) {
            every("saving the access records", store, BUDGET_PERIOD, BUDGET_PERIOD, access::save);
        }
    }

    /** Runs the entries of {@code schedule} as they fall due (nothing without entries). */
    void sync(SyncSchedule schedule) {
        if (!schedule.isEmpty()) {
            every("sync", sync, SYNC_TICK, SYNC_TICK, schedule::runDue);
        }
    }

    /** Reads the sign-outs in the store now, then every {@link EndedSessions#REFRESH}. */
    void refresh(EndedSessions ended) {
        ended.poll();
        every("refreshing the sign-outs", sessions, EndedSessions.REFRESH, EndedSessions.REFRESH, ended::poll);
    }

    private static void every(String what, ScheduledExecutorService lane, Duration first, Duration period,
                              Runnable round) {
        lane.scheduleWithFixedDelay(guarded(what, round), first.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code round}, with a failure logged rather than thrown: a scheduler runs no more of a task that threw. */
    private static Runnable guarded(String what, Runnable round) {
        return () -> {
            try {
                round.run();
            } catch (RuntimeException e) {
                LOG.log(Logger.Level.WARNING, what + " failed", e);
            }
        };
    }

    /**
     * Waits up to {@code timeout} after {@link #close()} for a round of the store under way, which may be saving the
     * access index; returns whether none is left.
     */
    boolean awaitStoreRounds(Duration timeout) throws InterruptedException {
        return store.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops every round; one under way is interrupted. */
    @Override
    public void close() {
        store.shutdownNow();
        sync.shutdownNow();
        sessions.shutdownNow();
    }
}
