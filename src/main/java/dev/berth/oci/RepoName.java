package dev.berth.oci;

import java.util.regex.Pattern;

/**
 * A repository name checked against the distribution spec's grammar: lowercase path components separated by
 * {@code /}, at most 255 characters. No component can be empty, {@code .}, {@code ..} or start with {@code _}, so a
 * valid name never escapes the directory it is stored under nor collides with the store's own entries.
 */
public record RepoName(String value) implements Comparable<RepoName> {
    public static final int MAX_LENGTH = 255;
    private static final Pattern GRAMMAR =
            Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

    public RepoName {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !GRAMMAR.matcher(value).matches()) {
            throw new RegistryException(OciError.NAME_INVALID, "invalid repository name: " + ErrorText.shorten(value));
        }
    }

    /** Parses a name, failing with NAME_INVALID. */
    public static RepoName of(String value) {
        return new RepoName(value);
    }

    /** Whether {@code value} is a valid name. */
    public static boolean isValid(String value) {
        return value != null && value.length() <= MAX_LENGTH && GRAMMAR.matcher(value).matches();
    }

    @Override
    public int compareTo(RepoName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
