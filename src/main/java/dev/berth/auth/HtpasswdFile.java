package dev.berth.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lines of an htpasswd file as Apache reads them: {@code user:hash}, blank lines and {@code #} comments. Edits keep
 * every other line, comments included, where it was.
 */
public final class HtpasswdFile {
    /** The longest user name {@link #userNameProblem} accepts. */
    public static final int MAX_USER_LENGTH = 128;

    private final List<String> lines;

    private HtpasswdFile(List<String> lines) {
        this.lines = List.copyOf(lines);
    }

    /** A line naming a user: its number (from 1), the user and the hash field, a secret that toString leaves out. */
    public record Entry(int lineNumber, String user, String hash) {
        @Override
        public String toString() {
            return "Entry[line " + lineNumber + ", " + user + "]";
        }
    }

    /** The file whose content is {@code text}. */
    public static HtpasswdFile parse(String text) {
        return new HtpasswdFile(text.lines().toList());
    }

    /** The lines that are neither blank nor comments, in order. */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            entry(i + 1, lines.get(i)).ifPresent(entries::add);
        }
        return entries;
    }

    /**
     * This file with {@code user}'s entry holding {@code hash}: the first entry of that user is replaced, any later
     * ones dropped (Apache reads only the first, so they would only mislead), and a new user is appended.
     */
    public HtpasswdFile withHash(String user, BcryptHash hash) {
        String replacement = user + ":" + hash.encoded();
        List<String> result = new ArrayList<>();
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (entry(i + 1, line).map(e -> !e.user().equals(user)).orElse(true)) {
                result.add(line);
            } else if (!replaced) {
                result.add(replacement);
                replaced = true;
            }
        }
        if (!replaced) {
            result.add(replacement);
        }
        return new HtpasswdFile(result);
    }

    /** The file's content: its lines, each ended by a newline. */
    public String text() {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }

    /**
     * Why {@code user} cannot be written as a user name (such as "contains ':'"), or empty if it can: a colon ends the
     * name, a leading {@code #} makes the line a comment, and whitespace would be stripped or split by readers.
     */
    public static Optional<String> userNameProblem(String user) {
        if (user.isEmpty()) {
            return Optional.of("is empty");
        }
        if (user.length() > MAX_USER_LENGTH) {
            return Optional.of("is longer than " + MAX_USER_LENGTH + " characters");
        }
        if (user.startsWith("#")) {
            return Optional.of("starts with #");
        }
        if (user.chars().anyMatch(c -> c == ':' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.isISOControl(c))) {
            return Optional.of("contains ':', whitespace or a control character");
        }
        return Optional.empty();
    }

    /**
     * The entry on a line, read as Apache's mod_authn_file reads it: surrounding whitespace ignored, the user up to
     * the first ':', the hash up to the next ':' (later fields are ignored), no ':' at all meaning no hash.
     */
    private static Optional<Entry> entry(int number, String line) {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) {
            return Optional.empty();
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return Optional.of(new Entry(number, text, ""));
        }
        int end = text.indexOf(':', colon + 1);
        return Optional.of(new Entry(number, text.substring(0, colon),
                text.substring(colon + 1, end < 0 ? text.length() : end)));
    }
}
