package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Instant;
import java.util.Optional;

/**
 * Keys each remembered until an instant, bounded in number (the least recently used go first): what the mirror knows
 * of an upstream's answers for a while, such as a tag it need not ask about or a name it does not have.
 */
final class UntilTimes {
    private static final int MAX_ENTRIES = 100_000;

    private final Cache<String, Instant> until = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();

    /** Until when {@code key} is remembered, if it is. */
    Optional<Instant> get(String key) {
        return Optional.ofNullable(until.getIfPresent(key));
    }

    /** Remembers {@code key} until {@code time}. */
    void put(String key, Instant time) {
        until.put(key, time);
    }

    /** Whether {@code key} is remembered past {@code now}; a time already passed is forgotten. */
    boolean holdsAt(String key, Instant now) {
        Instant time = until.getIfPresent(key);
        if (time == null) {
            return false;
        }
        if (now.isBefore(time)) {
            return true;
        }
        until.asMap().remove(key, time);
        return false;
    }
}
