package dev.berth.mirror;

import dev.berth.oci.NameGlob;
import dev.berth.oci.RepoName;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The stored repositories whose blobs the disk budget may evict: those caching an upstream ({@code docker.io/...}),
 * except the ones {@code cache.pin} names. Private repositories never are.
 */
final class EvictableNames implements Predicate<RepoName> {
    private final Set<String> registries;
    private final PrivateNames privateNames;
    private final List<NameGlob> pinned;

    EvictableNames(Set<String> registries, PrivateNames privateNames, List<String> pinned) {
        this.registries = Set.copyOf(registries);
        this.privateNames = privateNames;
        this.pinned = pinned.stream().map(NameGlob::of).toList();
    }

    @Override
    public boolean test(RepoName stored) {
        String value = stored.value();
        int slash = value.indexOf('/');
        // Private globs cannot overlap cached names (refused at start); checked anyway, as private content must stay.
        return slash > 0 && registries.contains(value.substring(0, slash)) && !privateNames.matches(stored)
                && pinned.stream().noneMatch(glob -> glob.matches(value));
    }
}
