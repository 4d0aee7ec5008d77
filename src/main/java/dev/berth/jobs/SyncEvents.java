package dev.berth.jobs;

/** What scheduled syncs report, for metrics; implementations must be thread-safe. */
public interface SyncEvents {
    /** Reports nothing. */
    SyncEvents NONE = (repository, tags, failed) -> { };

    /** A sync round of {@code repository} checked {@code tags} tags, of which {@code failed} could not be cached. */
    void synced(String repository, int tags, int failed);
}
