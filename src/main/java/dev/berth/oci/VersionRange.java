package dev.berth.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A range of versions over tags, as npm and Cargo write them: comparators separated by spaces, all of which must hold,
 * such as {@code >=1.36 <2}. A tag is a version when it is {@code [v]MAJOR[.MINOR[.PATCH]]}; missing parts count as 0,
 * and tags with anything more ({@code 1.36-musl}, {@code latest}) are in no range.
 */
public record VersionRange(String text, List<Comparator> comparators) {
    private static final Pattern VERSION = Pattern.compile("v?(\\d{1,9})(?:\\.(\\d{1,9}))?(?:\\.(\\d{1,9}))?");
    private static final Pattern COMPARATOR = Pattern.compile("(>=|<=|>|<|=)?(\\S+)");

    /** One comparison with a version. */
    public record Comparator(String operator, long[] version) {
        boolean holds(long[] tag) {
            int order = compare(tag, version);
            return switch (operator) {
                case ">=" -> order >= 0;
                case "<=" -> order <= 0;
                case ">" -> order > 0;
                case "<" -> order < 0;
                default -> order == 0;
            };
        }
    }

    /** Parses {@code text}; IllegalArgumentException naming what is wrong. */
    public static VersionRange parse(String text) {
        List<Comparator> comparators = new ArrayList<>();
        for (String part : text.trim().split("\\s+")) {
            Matcher m = COMPARATOR.matcher(part);
            Optional<long[]> version = m.matches() ? version(m.group(2)) : Optional.empty();
            if (version.isEmpty()) {
                throw new IllegalArgumentException("not a version range: " + text + " (comparators such as >=1.36 <2)");
            }
            comparators.add(new Comparator(m.group(1) == null ? "=" : m.group(1), version.get()));
        }
        return new VersionRange(text, List.copyOf(comparators));
    }

    /** Whether {@code tag} is a version inside the range. */
    public boolean contains(String tag) {
        return version(tag).filter(v -> comparators.stream().allMatch(c -> c.holds(v))).isPresent();
    }

    private static Optional<long[]> version(String text) {
        Matcher m = VERSION.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long[] parts = new long[3];
        for (int i = 0; i < 3; i++) {
            parts[i] = m.group(i + 1) == null ? 0 : Long.parseLong(m.group(i + 1));
        }
        return Optional.of(parts);
    }

    private static int compare(long[] a, long[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Long.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
