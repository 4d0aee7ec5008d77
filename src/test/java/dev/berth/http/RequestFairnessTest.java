package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The share of the total kept for clients holding few requests: with max-requests 16 and 8 per client, a client's
 * first request may use any of the 16 places, its later ones only 12, together with everyone else's later ones.
 */
class RequestFairnessTest {
    private final RequestLimits limits = new RequestLimits(16, 8);

    @Test
    void greedyClientsLeaveAQuarterToClientsWithFewRequests() {
        admit("greedy-a", 8);
        admit("greedy-b", 6);
        // 7 + 5 requests beyond the first of each: the 12 places for those are taken.
        assertEquals(Optional.of("more than 12 requests in progress from clients with 1 or more each; the other 4 are"
                + " kept for clients with fewer"), limits.admit("greedy-b"));

        admit("light-1", 1);
        admit("light-2", 1);
        assertEquals(Optional.of("more than 16 requests in progress"), limits.admit("light-3"));
    }

    @Test
    void aClientsLastRequestsToEndAreItsSurplusOnes() {
        admit("greedy", 8);
        admit("second", 6);
        // greedy ends 7 requests and keeps its first: 7 of the 12 places beyond a first request are free again.
        for (int i = 0; i < 7; i++) {
            limits.release("greedy");
        }
        admit("fourth", 8);
        assertTrue(limits.admit("second").orElse("").startsWith("more than 12 requests"), "taken again");
    }

    @Test
    void aClientPastItsOwnCapIsNamed() {
        RequestLimits small = new RequestLimits(100, 2);
        small.admit("10.0.0.1");
        small.admit("10.0.0.1");
        assertEquals(Optional.of("more than 2 requests in progress from 10.0.0.1"), small.admit("10.0.0.1"));
        small.release("10.0.0.1");
        assertEquals(Optional.empty(), small.admit("10.0.0.1"));
    }

    private void admit(String client, int requests) {
        for (int i = 0; i < requests; i++) {
            assertEquals(Optional.empty(), limits.admit(client), client + "'s request " + (i + 1));
        }
    }
}
