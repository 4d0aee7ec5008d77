package dev.berth.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.support.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Paging through thousands of repositories costs one walk of the store, not one per page. */
class RepositoryCatalogTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicInteger walks = new AtomicInteger();
    private final List<String> stored = IntStream.range(0, 3000).mapToObj(i -> String.format("team/app-%04d", i))
            .collect(ArrayList::new, ArrayList::add, ArrayList::addAll);
    private final RepositoryCatalog catalog = new RepositoryCatalog(() -> {
        walks.incrementAndGet();
        return List.copyOf(stored);
    }, name -> Optional.empty(), clock);

    @Test
    void everyPageOfThousandsComesFromOneWalk() {
        List<String> seen = new ArrayList<>();
        Optional<String> after = Optional.empty();
        int pages = 0;
        do {
            Page<RepositoryInfo> page = catalog.list("", after, Page.MAX_SIZE, name -> !name.endsWith("7"));
            assertEquals(2700, page.total());
            page.items().forEach(r -> seen.add(r.name()));
            after = page.next();
            pages++;
        } while (after.isPresent());
        assertEquals(14, pages);
        assertEquals(stored.stream().filter(name -> !name.endsWith("7")).toList(), seen);
        assertEquals(1, walks.get());
    }

    @Test
    void aNewWalkComesAfterItsFreshnessOrADelete() {
        catalog.list("", Optional.empty(), 10, name -> true);
        stored.add("zzz/new");
        assertEquals(3000, catalog.list("", Optional.empty(), 10, name -> true).total(), "the same walk");
        clock.advance(RepositoryCatalog.FRESH);
        assertEquals(3001, catalog.list("", Optional.empty(), 10, name -> true).total());
        assertEquals(2, walks.get());

        stored.remove("zzz/new");
        catalog.invalidate();
        assertEquals(3000, catalog.list("", Optional.empty(), 10, name -> true).total());
        assertEquals(List.of("team/app-0001", "team/app-0010"),
                catalog.list("APP-00", Optional.of("team/app-0000"), 2, name -> name.endsWith("1") || name.endsWith("0"))
                        .items().stream().map(RepositoryInfo::name).toList());
    }
}
