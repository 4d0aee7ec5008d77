package dev.berth.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks every value of a configuration against {@link ConfigKeys} before anything reads it: an unknown key (with the
 * known one it was probably meant to be), a value of the wrong type, a single value where a list or a section
 * belongs, or the reverse, stops berth with a message naming the key, the value and what is expected.
 */
final class ConfigCheck {
    private ConfigCheck() {
    }

    /** Throws IllegalArgumentException for the first entry that is not right. */
    static void check(Map<String, String> entries) {
        entries.forEach((key, value) -> problem(key, value).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        }));
    }

    private static Optional<String> problem(String key, String value) {
        List<String> path = ConfigKey.split(key);
        Optional<ConfigKey> known = ConfigKeys.find(path);
        if (known.isPresent()) {
            return known.get().type().problem(value).map(problem -> key + ": " + problem);
        }
        Optional<ConfigKey> longer = ConfigKeys.ALL.stream()
                .filter(k -> k.segments().size() > path.size() && k.matchesPrefix(path, path.size())).findFirst();
        if (longer.isPresent()) {
            boolean list = longer.get().segments().get(path.size()).equals(ConfigKey.INDEX);
            return Optional.of(key + ": '" + value + "' is a single value, but " + key + " is "
                    + (list ? "a list (expected [first, second] or, one per line, \"- first\")"
                            : "a section (expected keys such as " + longer.get() + ")"));
        }
        for (int length = path.size() - 1; length > 0; length--) {
            Optional<ConfigKey> shorter = ConfigKeys.find(path.subList(0, length));
            if (shorter.isPresent()) {
                String scalar = String.join(".", path.subList(0, length));
                return Optional.of(scalar + " is a single value, not a section (found " + key + "; expected "
                        + shorter.get().type().what() + ": " + shorter.get().type().expected() + ")");
            }
        }
        return Optional.of("unknown configuration key: " + key
                + KeySuggestion.closest(path).map(s -> " (did you mean " + s + "?)").orElse(""));
    }
}
