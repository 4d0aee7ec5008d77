package dev.berth.cache;

import dev.berth.registry.Evictor;
import java.lang.System.Logger;
import java.util.Optional;

/** One housekeeping round of the disk budget: evicts while over it, then saves the access index. */
public final class DiskBudget implements Runnable {
    private static final Logger LOG = System.getLogger(DiskBudget.class.getName());

    private final Optional<Evictor> evictor;
    private final AccessIndex access;
    private final BudgetEvents events;

    /** Rounds with {@code evictor} (empty: no budget, the index is only saved), each reported to {@code events}. */
    public DiskBudget(Optional<Evictor> evictor, AccessIndex access, BudgetEvents events) {
        this.evictor = evictor;
        this.access = access;
        this.events = events;
    }

    @Override
    public void run() {
        try {
            evictor.map(Evictor::evict).ifPresent(result -> {
                events.budgetRound(result.usedBytes(), result.blobs(), result.bytes());
                if (result.blobs() > 0) {
                    LOG.log(Logger.Level.INFO, "disk budget: mirrored blobs used " + result.usedBytes()
                            + " bytes; evicted " + result.blobs() + " least recently used (" + result.bytes()
                            + " bytes)");
                }
            });
            access.save();
        } catch (RuntimeException e) {
            // Caught so that the scheduler runs the next round.
            LOG.log(Logger.Level.WARNING, "disk budget round failed", e);
        }
    }
}
