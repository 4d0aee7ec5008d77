package dev.berth.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the sizes ({@code 512KiB}, {@code 4MiB}, {@code 200GiB}) and durations ({@code 500ms}, {@code 5m}) of berth.yaml. */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Units() {
    }

    /** Bytes from {@code 123}, {@code 512KiB}, {@code 4MiB}, {@code 200GiB}, {@code 1TiB} (KB/MB/GB/TB are decimal). */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (use e.g. 512KiB, 4MiB, 200GiB)");
        }
        long n = number(m.group(1), text);
        String unit = m.group(2) == null ? "B" : m.group(2);
        long factor = switch (unit) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(n, factor);
        } catch (ArithmeticException e) {
            throw tooLarge(text);
        }
    }

    /** A duration from {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h} or {@code 7d}. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 500ms, 2s, 5m, 1h)");
        }
        long n = number(m.group(1), text);
        try {
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } catch (ArithmeticException e) {
            throw tooLarge(text);
        }
    }

    private static long number(String digits, String text) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw tooLarge(text);
        }
    }

    /** Overflow as an IllegalArgumentException, which the config loader reports with the key's name. */
    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException("too large: '" + text + "'");
    }
}
