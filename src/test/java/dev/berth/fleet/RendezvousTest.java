package dev.berth.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousTest {
    private static final URI A = URI.create("http://10.0.0.1:5000");
    private static final URI B = URI.create("http://10.0.0.2:5000");
    private static final URI C = URI.create("http://10.0.0.3:5000");

    @Test
    void everyInstanceRanksTheSameWhateverOrderItKnowsTheMembersIn() {
        for (int i = 0; i < 100; i++) {
            String key = "sha256:" + i;
            assertEquals(Rendezvous.ranked(key, List.of(A, B, C)), Rendezvous.ranked(key, List.of(C, A, B)));
        }
    }

    @Test
    void aMemberLeavingMovesOnlyTheKeysItOwnedAndEachMemberOwnsAShare() {
        Map<URI, Integer> owned = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String key = "sha256:" + i;
            List<URI> all = Rendezvous.ranked(key, List.of(A, B, C));
            owned.merge(all.get(0), 1, Integer::sum);
            URI withoutC = Rendezvous.ranked(key, List.of(A, B)).get(0);
            // C's keys go to their second choice; every other key stays where it was.
            assertEquals(all.get(0).equals(C) ? all.get(1) : all.get(0), withoutC, key);
        }
        owned.values().forEach(count -> assertTrue(count > 800 && count < 1200, "share " + owned));
    }
}
