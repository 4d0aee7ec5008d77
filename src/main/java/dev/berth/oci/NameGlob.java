package dev.berth.oci;

import java.util.regex.Pattern;

/**
 * A repository name pattern from the configuration: {@code *} matches any run of characters, slashes included, so
 * {@code team/*} covers {@code team/app} and {@code team/tools/ci}; everything else matches itself.
 */
public record NameGlob(String glob, Pattern pattern) {
    /** Compiles {@code glob}. */
    public static NameGlob of(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return new NameGlob(glob, Pattern.compile(regex.toString()));
    }

    /** Whether {@code name} matches. */
    public boolean matches(String name) {
        return pattern.matcher(name).matches();
    }

    // The pattern follows from the glob, and Pattern has no equality of its own: two globs are equal when their text is.
    @Override
    public boolean equals(Object other) {
        return other instanceof NameGlob that && glob.equals(that.glob);
    }

    @Override
    public int hashCode() {
        return glob.hashCode();
    }

    @Override
    public String toString() {
        return glob;
    }
}
