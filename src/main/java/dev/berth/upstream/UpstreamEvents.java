package dev.berth.upstream;

/** What an upstream client reports of its traffic, for metrics; implementations must be cheap and thread-safe. */
public interface UpstreamEvents {
    /** Reports nothing. */
    UpstreamEvents NONE = (registry, status) -> { };

    /**
     * A request to {@code registry}'s API got an answer with {@code status}, or none at all ({@code 0}: refused,
     * reset, timed out). Token fetches are not reported.
     */
    void upstreamAnswered(String registry, int status);

    /** {@code registry} answered 401 to the Basic credentials berth sent: berth's configuration is wrong. */
    default void credentialsRefused(String registry) {
    }
}
