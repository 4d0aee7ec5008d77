package dev.berth.config;

import java.util.Arrays;
import java.util.List;

/**
 * One kind of key berth.yaml may hold, as its path segments: a name, {@code #} for a list's index or {@code *} for a
 * name the operator chooses (a group's); and the type of its value.
 */
record ConfigKey(List<String> segments, ValueType type) {
    static final String INDEX = "#";
    static final String NAME = "*";

    /** A key written with dots, such as {@code mirror.upstreams.#.tag-ttl}. */
    static ConfigKey of(String path, ValueType type) {
        return new ConfigKey(List.of(path.split("\\.")), type);
    }

    /** Whether {@code path}'s segments are this key's, all of them. */
    boolean matches(List<String> path) {
        return path.size() == segments.size() && matchesPrefix(path, path.size());
    }

    /** Whether the first {@code length} segments of {@code path} match this key's first ones. */
    boolean matchesPrefix(List<String> path, int length) {
        if (length > segments.size() || length > path.size()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (!segmentMatches(segments.get(i), path.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean segmentMatches(String pattern, String segment) {
        return switch (pattern) {
            case INDEX -> segment.chars().allMatch(Character::isDigit) && !segment.isEmpty();
            case NAME -> !segment.isEmpty();
            default -> pattern.equals(segment);
        };
    }

    /** The key's segments of {@code path}, split at dots. */
    static List<String> split(String path) {
        return Arrays.asList(path.split("\\.", -1));
    }

    @Override
    public String toString() {
        return String.join(".", segments);
    }
}
