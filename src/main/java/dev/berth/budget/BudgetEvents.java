package dev.berth.budget;

/** What the disk budget reports of each round, for metrics; implementations must be thread-safe. */
public interface BudgetEvents {
    /** Reports nothing. */
    BudgetEvents NONE = (usedBytes, evicted, evictedBytes) -> { };

    /** Reports every round to {@code first}, then to {@code second}. */
    static BudgetEvents both(BudgetEvents first, BudgetEvents second) {
        return (usedBytes, evicted, evictedBytes) -> {
            first.budgetRound(usedBytes, evicted, evictedBytes);
            second.budgetRound(usedBytes, evicted, evictedBytes);
        };
    }

    /**
     * A round found {@code usedBytes} of evictable mirrored blobs and manifests and evicted {@code evicted} of
     * them (manifests included).
     */
    void budgetRound(long usedBytes, int evicted, long evictedBytes);
}
