package dev.berth.budget;

import dev.berth.cluster.RoundGate;
import java.lang.System.Logger;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One housekeeping round of the disk budget: counts mirrored content and evicts while over the budget (without
 * {@code cache.max-bytes}, one that is never passed: the round only counts), then saves the access index. Between
 * scheduled rounds, the blobs the mirror stores call a round early when they may have put usage over the budget.
 * Instances sharing a store count and evict on one instance at a time (its {@link RoundGate}), with every instance's
 * access records merged first; each saves its own records every round.
 */
public final class DiskBudget implements Runnable {
    private static final Logger LOG = System.getLogger(DiskBudget.class.getName());

    private final Evictor evictor;
    private final AccessIndex access;
    private final BudgetEvents events;
    private final Executor rounds;
    private final RoundGate gate;
    private final AtomicLong storedSinceRound = new AtomicLong();
    private final AtomicBoolean earlyRoundPending = new AtomicBoolean();
    // Unknown before the first round: counted as nothing, so only what is stored meanwhile can call a round early.
    private volatile long usedAfterRound;

    /**
     * Rounds with {@code evictor}, each reported to {@code events}; early
     * rounds run on {@code rounds}, which must be the executor of the scheduled ones so that rounds never overlap, and
     * which logs a round that fails.
     */
    public DiskBudget(Evictor evictor, AccessIndex access, BudgetEvents events, Executor rounds) {
        this(evictor, access, events, rounds, RoundGate.alone());
    }

    /** As the other constructor, evicting only when {@code gate} says it is this instance's turn. */
    public DiskBudget(Evictor evictor, AccessIndex access, BudgetEvents events, Executor rounds, RoundGate gate) {
        this.evictor = evictor;
        this.access = access;
        this.events = events;
        this.rounds = rounds;
        this.gate = gate;
    }

    /** One round; a failure is thrown to the scheduler, which logs it and runs the next round. */
    @Override
    public void run() {
        gate.runIfMine("budget", this::countAndEvict);
        access.save();
    }

    private void countAndEvict() {
        access.mergeOthers();
        Evictor.Result result = evict();
        usedAfterRound = result.usedBytes() - result.bytes();
        events.budgetRound(result.usedBytes(), result.digests(), result.bytes());
        if (result.digests() > 0) {
            LOG.log(Logger.Level.INFO, "disk budget: mirrored content used " + result.usedBytes()
                    + " bytes; evicted " + result.digests() + " least recently used blobs and manifests ("
                    + result.bytes() + " bytes)");
        }
    }

    private Evictor.Result evict() {
        // Reset before the walk: a blob stored during it may count twice (calling a round that finds nothing to do),
        // but none is missed.
        storedSinceRound.set(0);
        return evictor.evict();
    }

    /**
     * Told that the mirror stored a blob of {@code bytes}: when the last round's usage and what was stored since pass
     * the budget, runs a round soon rather than at the next scheduled one, with at most one such round pending.
     * Manifests, small beside their blobs, are left to the scheduled rounds.
     */
    public void stored(long bytes) {
        long estimate = usedAfterRound + storedSinceRound.addAndGet(bytes);
        if (estimate <= evictor.maxBytes() || !earlyRoundPending.compareAndSet(false, true)) {
            return;
        }
        try {
            rounds.execute(() -> {
                // Cleared first: a blob stored during this round may need the next one.
                earlyRoundPending.set(false);
                run();
            });
        } catch (RejectedExecutionException e) {
            // berth is stopping: no more rounds.
            earlyRoundPending.set(false);
        }
    }
}
