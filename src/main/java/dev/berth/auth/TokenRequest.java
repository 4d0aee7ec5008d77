package dev.berth.auth;

import dev.berth.config.Units;
import dev.berth.oci.RepoName;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a new access token should be, checked: a name of lower-case letters, digits, {@code -} and {@code _} (2 to 64,
 * a letter first: it is a user name for {@code docker login} and a key in the store), 1 to {@link #MAX_GLOBS}
 * repository globs ({@code *} for any run of characters, the rest a valid repository name), some of pull, push and
 * delete, and a lifetime from {@link #MIN_LIFETIME} to {@link #MAX_LIFETIME}.
 */
public record TokenRequest(String name, List<String> repositories, Set<Action> actions, Duration lifetime) {
    /** The lifetime of a token when none is asked for. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    static final Duration MIN_LIFETIME = Duration.ofHours(1);
    static final Duration MAX_LIFETIME = Duration.ofDays(365);
    static final int MAX_GLOBS = 32;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{1,63}");

    public TokenRequest {
        repositories = List.copyOf(repositories);
        actions = Set.copyOf(actions);
    }

    /**
     * The request from its parts as a client wrote them; {@code expires} null or empty: {@link #DEFAULT_LIFETIME}.
     *
     * @throws TokenRequestRefused ({@link TokenRequestRefused.Reason#INVALID}) saying which part is wrong and how
     */
    public static TokenRequest of(String name, List<String> repositories, List<String> actions, String expires) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("name " + quoted(name) + " is not valid: 2 to 64 lower-case letters, digits, - and _,"
                    + " starting with a letter");
        }
        if (repositories == null || repositories.isEmpty() || repositories.size() > MAX_GLOBS) {
            throw invalid("repositories must list 1 to " + MAX_GLOBS + " names or globs, such as team/*");
        }
        for (String glob : repositories) {
            // A glob is a repository name with * for any run of characters: each * stands for one here.
            if (glob == null || !RepoName.isValid(glob.replace('*', 'x'))) {
                throw invalid("repository glob " + quoted(glob) + " is not valid: a repository name such as"
                        + " team/app, with * for any run of characters (team/*)");
            }
        }
        if (actions == null || actions.isEmpty()) {
            throw invalid("actions must name some of pull, push, delete");
        }
        Set<Action> parsed = EnumSet.noneOf(Action.class);
        for (String action : actions) {
            parsed.add(Action.fromScopeName(action == null ? "" : action).orElseThrow(() -> invalid(
                    "action " + quoted(action) + " is not one of pull, push, delete")));
        }
        return new TokenRequest(name, List.copyOf(new java.util.LinkedHashSet<>(repositories)), parsed,
                lifetime(expires));
    }

    private static Duration lifetime(String expires) {
        if (expires == null || expires.isBlank()) {
            return DEFAULT_LIFETIME;
        }
        Duration lifetime;
        try {
            lifetime = Units.duration(expires);
        } catch (IllegalArgumentException e) {
            throw invalid("expires " + quoted(expires) + " is not a duration such as 12h, 30d or 365d");
        }
        if (lifetime.compareTo(MIN_LIFETIME) < 0 || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw invalid("expires " + quoted(expires) + " is out of bounds: from 1h to 365d");
        }
        return lifetime;
    }

    /** A client's text in a message: cut short, with only printable ASCII, so that nothing hostile is echoed. */
    private static String quoted(String text) {
        if (text == null) {
            return "(none)";
        }
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    private static TokenRequestRefused invalid(String message) {
        return new TokenRequestRefused(TokenRequestRefused.Reason.INVALID, message);
    }
}
