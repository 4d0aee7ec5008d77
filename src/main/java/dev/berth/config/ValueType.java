package dev.berth.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the value of a configuration key must look like; {@link #problem} says, for a value that is not that, what it
 * is not and what is expected instead, so that no bad value reaches the code that reads the configuration.
 */
record ValueType(String what, String expected, Consumer<String> parser) {
    /** Any text but none (an empty value is a key left without one). */
    static final ValueType TEXT = new ValueType("a value", "some text", value -> { });
    static final ValueType BOOLEAN = new ValueType("a boolean", "true or false", value -> {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException();
        }
    });
    static final ValueType PORT = wholeNumber("a port", 0, 65535);
    /** A count of something that must exist at least once (requests in progress). */
    static final ValueType COUNT = wholeNumber("a count", 1, Integer.MAX_VALUE);
    /** A count of things kept, where none is a choice ({@code retention.rules[].keep-last: 0}). */
    static final ValueType KEEP_COUNT = wholeNumber("a count", 0, Integer.MAX_VALUE);
    static final ValueType SIZE = new ValueType("a size", "a number of bytes with an optional unit: 512KiB, 4MiB,"
            + " 200GiB", Units::bytes);
    static final ValueType DURATION = new ValueType("a duration", "a number with a unit: 500ms, 2s, 5m, 1h, 7d",
            Units::duration);
    static final ValueType URL = new ValueType("an http:// or https:// URL", "such as https://registry-1.docker.io",
            ValueType::httpUrl);
    static final ValueType ADDRESS_RANGE = new ValueType("an IP address or CIDR block",
            "such as 127.0.0.1, ::1, 10.0.0.0/8 or fd00::/8", AddressRange::parse);

    /** One of {@code values}, spelled as given. */
    static ValueType oneOf(String... values) {
        return new ValueType("one of " + String.join(", ", values), String.join(" or ", values), value -> {
            if (!Arrays.asList(values).contains(value)) {
                throw new IllegalArgumentException();
            }
        });
    }

    /** Why {@code value} is not of this type, such as {@code not a boolean: 'yes please' (expected true or false)}. */
    Optional<String> problem(String value) {
        if (value.isBlank()) {
            return Optional.of("no value (expected " + what + ": " + expected + ")");
        }
        try {
            parser.accept(value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            // The parsers of sizes and durations know a number that overflows: "too large" says more than "not a".
            String why = e.getMessage() != null && e.getMessage().startsWith("too large") ? e.getMessage()
                    : "not " + what + ": '" + value + "'";
            return Optional.of(why + " (expected " + expected + ")");
        }
    }

    private static ValueType wholeNumber(String what, int min, int max) {
        String range = max == Integer.MAX_VALUE ? "a whole number of at least " + min
                : "a whole number from " + min + " to " + max;
        return new ValueType(what, range, value -> {
            // NumberFormatException is an IllegalArgumentException: "17501x" and "99999999999" alike.
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw new IllegalArgumentException();
            }
        });
    }

    private static void httpUrl(String value) {
        try {
            URI uri = new URI(value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
