package dev.berth.admin;

import java.util.List;
import java.util.Optional;

/** One page of a listing: its items, how many match in all, and where the next page starts (the last item's key). */
public record Page<T>(List<T> items, int total, Optional<String> next) {
    /** The most a page holds, whatever a client asks for. */
    public static final int MAX_SIZE = 200;
    /** What a page holds when a client does not say. */
    public static final int DEFAULT_SIZE = 50;

    /** {@code requested} within 1 and {@link #MAX_SIZE}; {@link #DEFAULT_SIZE} when absent. */
    public static int size(Optional<Integer> requested) {
        return Math.clamp(requested.orElse(DEFAULT_SIZE), 1, MAX_SIZE);
    }
}
