package dev.berth.budget;

import dev.berth.oci.NameGlob;
import dev.berth.oci.RepoName;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The stored repositories whose blobs the disk budget may evict: those caching an upstream ({@code docker.io/...}),
 * except the ones {@code cache.pin} names. Private repositories never are.
 */
final class EvictableNames {
    private final Set<String> registries;
    private final List<NameGlob> kept;

    /** Names under one of {@code registries}, unless a glob of {@code privateNames} or {@code pinned} matches. */
    EvictableNames(Set<String> registries, List<String> privateNames, List<String> pinned) {
        this.registries = Set.copyOf(registries);
        this.kept = Stream.concat(privateNames.stream(), pinned.stream()).map(NameGlob::of).toList();
    }

    /** Whether the disk budget may evict from the stored repository {@code stored}. */
    boolean test(RepoName stored) {
        String value = stored.value();
        int slash = value.indexOf('/');
        // Private globs cannot overlap cached names (refused at start); checked anyway, as private content must stay.
        return slash > 0 && registries.contains(value.substring(0, slash))
                && kept.stream().noneMatch(glob -> glob.matches(value));
    }
}
