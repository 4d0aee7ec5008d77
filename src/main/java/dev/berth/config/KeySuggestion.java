package dev.berth.config;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * For an unknown key, the known one it was probably meant to be ({@code mirror.upstream.0.registry} →
 * {@code mirror.upstreams}): at the first segment that no known key has there, the closest known segment by edit
 * distance, when it is close enough to be a typo.
 */
final class KeySuggestion {
    /** A list index in a variable's name: digits between underscores. */
    private static final Pattern INDEX_IN_VARIABLE = Pattern.compile("_(\\d+)(?=_|$)");

    private KeySuggestion() {
    }

    /** The known path up to and including the corrected segment, if one is close. */
    static Optional<String> closest(List<String> path) {
        int depth = 0;
        while (depth < path.size() && matchesSomeKey(path, depth + 1)) {
            depth++;
        }
        if (depth == path.size()) {
            return Optional.empty();
        }
        int at = depth;
        String typed = path.get(at);
        return ConfigKeys.ALL.stream()
                .filter(key -> key.matchesPrefix(path, at) && key.segments().size() > at)
                .map(key -> key.segments().get(at))
                .filter(known -> !known.equals(ConfigKey.INDEX) && !known.equals(ConfigKey.NAME))
                .distinct()
                .filter(known -> distance(typed, known) <= Math.max(1, known.length() / 3))
                .min(Comparator.comparingInt(known -> distance(typed, known)))
                .map(known -> String.join(".", path.subList(0, at)) + (at == 0 ? "" : ".") + known);
    }

    /**
     * For the part after BERTH_ of a variable that sets no key, the variable of a known key it is close enough to be
     * a typo of ({@code SERVER_PROT} → {@code SERVER_PORT}); list indexes are kept as they were written.
     */
    static Optional<String> closestVariable(String typed) {
        String shape = INDEX_IN_VARIABLE.matcher(typed).replaceAll("_#");
        return ConfigKeys.ALL.stream()
                .filter(key -> !key.segments().contains(ConfigKey.NAME))
                .map(key -> EnvironmentOverrides.variable(key.toString()).substring(EnvironmentOverrides.PREFIX.length()))
                .filter(known -> distance(shape, known) <= Math.max(1, known.length() / 5))
                .min(Comparator.comparingInt(known -> distance(shape, known)))
                .map(known -> withIndexes(known, typed));
    }

    /** {@code known}'s {@code #}s replaced by the indexes written in {@code typed}, in order (0 where it has none). */
    private static String withIndexes(String known, String typed) {
        Matcher indexes = INDEX_IN_VARIABLE.matcher(typed);
        String[] parts = known.split("#", -1);
        StringBuilder result = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            result.append(indexes.find() ? indexes.group(1) : "0").append(parts[i]);
        }
        return result.toString();
    }

    private static boolean matchesSomeKey(List<String> path, int length) {
        return ConfigKeys.ALL.stream().anyMatch(key -> key.matchesPrefix(path, length));
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
