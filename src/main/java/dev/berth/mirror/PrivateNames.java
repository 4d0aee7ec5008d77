package dev.berth.mirror;

import dev.berth.oci.NameGlob;
import dev.berth.oci.RepoName;
import java.util.List;

/** The {@code private.repositories} globs: names that live only in berth. */
final class PrivateNames {
    private final List<NameGlob> globs;

    PrivateNames(List<String> globs) {
        this.globs = globs.stream().map(NameGlob::of).toList();
    }

    /** Whether {@code name}, as the request wrote it, is private. */
    boolean matches(RepoName name) {
        return globs.stream().anyMatch(g -> g.matches(name.value()));
    }

    /** The globs as configured, for messages. */
    List<String> globs() {
        return globs.stream().map(NameGlob::glob).toList();
    }
}
