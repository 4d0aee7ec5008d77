package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Caps the requests in progress, in all and per client ({@link ClientKey}): past a cap, an immediate 429
 * TOOMANYREQUESTS. A client's requests beyond its first eighth of the per-client cap share only three quarters of the
 * total, so the last quarter stays for clients holding fewer: a few greedy or slow clients cannot fill it all.
 */
public final class RequestLimits implements Filter {
    // So that one client cannot take every thread, file and upstream connection from the others. Never a queue:
    // it would only hide the overload until clients time out.
    private final int maxRequests;
    private final int maxPerClient;
    /** Requests a client may hold before its next ones count as surplus. */
    private final int share;
    /** Surplus requests that may be in progress, from all clients together. */
    private final int maxSurplus;
    /** Requests in progress per client; a client leaves the map when its last request ends. Guarded by this. */
    private final Map<String, Integer> perClient = new HashMap<>();
    private int total;
    private int surplus;

    public RequestLimits(int maxRequests, int maxPerClient) {
        this.maxRequests = maxRequests;
        this.maxPerClient = maxPerClient;
        this.share = Math.max(1, maxPerClient / 8);
        this.maxSurplus = maxRequests - maxRequests / 4;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String client = ClientKey.of(req);
        Optional<String> refusal = admit(client);
        if (refusal.isPresent()) {
            reject(req, res, refusal.get());
            return;
        }
        try {
            // Returns once the response is written, a streamed blob body included, or has failed.
            chain.proceed();
        } finally {
            release(client);
        }
    }

    /** Takes a place for a request of {@code client}, or says which cap refuses it. */
    synchronized Optional<String> admit(String client) {
        int held = perClient.getOrDefault(client, 0);
        if (held >= maxPerClient) {
            return Optional.of("more than " + maxPerClient + " requests in progress from " + client);
        }
        if (total >= maxRequests) {
            return Optional.of("more than " + maxRequests + " requests in progress");
        }
        boolean beyondShare = held >= share;
        if (beyondShare && surplus >= maxSurplus) {
            return Optional.of("more than " + maxSurplus + " requests in progress from clients with " + share
                    + " or more each; the other " + (maxRequests - maxSurplus) + " are kept for clients with fewer");
        }
        perClient.put(client, held + 1);
        total++;
        if (beyondShare) {
            surplus++;
        }
        return Optional.empty();
    }

    /** Gives back a place that {@link #admit} took; the client's last requests are the surplus ones to go. */
    synchronized void release(String client) {
        int held = perClient.get(client);
        if (held > share) {
            surplus--;
        }
        total--;
        if (held == 1) {
            perClient.remove(client);
        } else {
            perClient.put(client, held - 1);
        }
    }

    private static void reject(RoutingRequest req, RoutingResponse res, String why) {
        // Answered here rather than thrown: an exception from a filter would pass the access log before being
        // turned into a response, and the log would not see the 429.
        ErrorResponses.send(req, res, new RegistryException(OciError.TOOMANYREQUESTS, why)
                .withHeader("Retry-After", "1"));
    }
}
