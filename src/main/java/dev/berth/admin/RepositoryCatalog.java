package dev.berth.admin;

import dev.berth.oci.RepoName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The stored repositories, searched and paged for one caller. The catalog is a walk of the store, so it is taken at
 * most once per {@link #FRESH} (and again after a delete through the admin API) and every page, search and access
 * filter works on that list in memory: paging through thousands of repositories costs one walk, not one per page.
 */
public final class RepositoryCatalog {
    /** How long one walk of the store answers listings: a push shows up within it. */
    static final Duration FRESH = Duration.ofSeconds(5);

    private final Supplier<List<String>> walk;
    private final Function<RepoName, Optional<String>> mirroredFrom;
    private final Clock clock;
    private Snapshot snapshot;

    /**
     * Over {@code walk} (the registry's catalog, sorted), with {@code mirroredFrom} naming the upstream a stored name
     * caches.
     */
    public RepositoryCatalog(Supplier<List<String>> walk, Function<RepoName, Optional<String>> mirroredFrom,
                             Clock clock) {
        this.walk = walk;
        this.mirroredFrom = mirroredFrom;
        this.clock = clock;
    }

    private record Snapshot(List<String> names, Instant taken) {
    }

    /**
     * The repositories after {@code after} whose name contains {@code query} (any case) and that {@code visible}
     * accepts, at most {@code size} of them.
     */
    public Page<RepositoryInfo> list(String query, Optional<String> after, int size, Predicate<String> visible) {
        String needle = query.toLowerCase(Locale.ROOT);
        List<RepositoryInfo> items = new ArrayList<>();
        int total = 0;
        boolean more = false;
        for (String name : names()) {
            if (!name.contains(needle) || !visible.test(name)) {
                continue;
            }
            total++;
            if (after.isEmpty() || name.compareTo(after.get()) > 0) {
                if (items.size() < size) {
                    items.add(info(name));
                } else {
                    more = true;
                }
            }
        }
        return new Page<>(items, total, more ? Optional.of(items.getLast().name()) : Optional.empty());
    }

    /** The stored repository {@code name}, when it holds a manifest. */
    public Optional<RepositoryInfo> find(RepoName name) {
        return Collections.binarySearch(names(), name.value()) >= 0 ? Optional.of(info(name.value()))
                : Optional.empty();
    }

    /** Forgets the last walk: what was deleted disappears from the next listing. */
    public synchronized void invalidate() {
        snapshot = null;
    }

    private RepositoryInfo info(String name) {
        return new RepositoryInfo(name, mirroredFrom.apply(RepoName.of(name)));
    }

    private synchronized List<String> names() {
        Instant now = clock.instant();
        if (snapshot == null || !now.isBefore(snapshot.taken().plus(FRESH))) {
            snapshot = new Snapshot(List.copyOf(walk.get()), now);
        }
        return snapshot.names();
    }
}
