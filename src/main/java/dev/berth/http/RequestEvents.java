package dev.berth.http;

import java.time.Duration;

/** What the HTTP layer reports of each answered request, for metrics; implementations must be thread-safe. */
public interface RequestEvents {
    /** What a request asked for, from its path alone (the method is not considered). */
    enum Kind { BASE, CATALOG, TAGS, MANIFEST, BLOB, UPLOAD, REFERRERS, TOKEN, OTHER }

    /** A request for {@code kind} was answered with {@code status} after {@code duration}. */
    void requestAnswered(Kind kind, int status, Duration duration);
}
