package dev.berth.oci;

import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/** A platform as {@code os/architecture[/variant]}, such as {@code linux/arm64/v8}. */
public record Platform(String os, String architecture, Optional<String> variant) {
    private static final Pattern PART = Pattern.compile("[a-z0-9._-]{1,32}");

    /** Parses {@code linux/amd64} or {@code linux/arm/v7}; IllegalArgumentException with the reason otherwise. */
    public static Platform parse(String text) {
        String[] parts = text == null ? new String[0] : text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || !Arrays.stream(parts).allMatch(p -> PART.matcher(p)
                .matches())) {
            throw new IllegalArgumentException("not a platform: " + text + " (os/architecture[/variant], as"
                    + " linux/amd64 or linux/arm/v7)");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    }

    /**
     * Whether an index entry's platform is this one: same os and architecture, and the variant when this one names
     * it ({@code linux/arm64} takes {@code linux/arm64/v8}).
     */
    public boolean matches(Platform entry) {
        return os.equals(entry.os) && architecture.equals(entry.architecture)
                && (variant.isEmpty() || variant.equals(entry.variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
