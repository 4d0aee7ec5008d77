package dev.berth.cluster;

/**
 * Decides whether this instance runs a background round (garbage collection, the disk budget) now: always, for a
 * berth alone on its store; for instances sharing one, only the one whose turn it is.
 */
@FunctionalInterface
public interface RoundGate {
    /** Runs {@code round} if it is this instance's to run; returns whether it ran. */
    boolean runIfMine(String name, Runnable round);

    /** The gate of a berth alone on its store: every round is its own. */
    static RoundGate alone() {
        return (name, round) -> {
            round.run();
            return true;
        };
    }

    /** A gate that never runs a round, for an instance that leaves them to another. */
    static RoundGate never() {
        return (name, round) -> false;
    }
}
