package dev.berth.mirror;

import dev.berth.oci.RepoName;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code private.repositories} globs: names that live only in berth. {@code *} matches any run of characters,
 * slashes included, so {@code team/*} covers {@code team/app} and {@code team/tools/ci}.
 */
final class PrivateNames {
    private final List<String> globs;
    private final List<Pattern> patterns;

    PrivateNames(List<String> globs) {
        this.globs = List.copyOf(globs);
        this.patterns = globs.stream().map(PrivateNames::compile).toList();
    }

    /** Whether {@code name}, as the request wrote it, is private. */
    boolean matches(RepoName name) {
        return patterns.stream().anyMatch(p -> p.matcher(name.value()).matches());
    }

    /** The globs as configured, for messages. */
    List<String> globs() {
        return globs;
    }

    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
