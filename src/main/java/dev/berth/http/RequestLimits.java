package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/** Caps the requests in progress, in all and per client address: past a cap, an immediate 429 TOOMANYREQUESTS. */
public final class RequestLimits implements Filter {
    // So that one client cannot take every thread, file and upstream connection from the others. Never a queue:
    // it would only hide the overload until clients time out.
    private final int maxRequests;
    private final int maxPerClient;
    private final Semaphore total;
    /** Requests in progress per client address; an address leaves the map when its last request ends. */
    private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();

    public RequestLimits(int maxRequests, int maxPerClient) {
        this.maxRequests = maxRequests;
        this.maxPerClient = maxPerClient;
        this.total = new Semaphore(maxRequests);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String client = Requests.clientAddress(req);
        if (!acquire(client)) {
            reject(req, res, "more than " + maxPerClient + " requests in progress from " + client);
            return;
        }
        try {
            if (!total.tryAcquire()) {
                reject(req, res, "more than " + maxRequests + " requests in progress");
                return;
            }
            try {
                // Returns once the response is written, a streamed blob body included, or has failed.
                chain.proceed();
            } finally {
                total.release();
            }
        } finally {
            release(client);
        }
    }

    private boolean acquire(String client) {
        boolean[] acquired = {false};
        perClient.compute(client, (address, count) -> {
            int now = count == null ? 0 : count;
            if (now >= maxPerClient) {
                return count;
            }
            acquired[0] = true;
            return now + 1;
        });
        return acquired[0];
    }

    private void release(String client) {
        perClient.computeIfPresent(client, (address, count) -> count == 1 ? null : count - 1);
    }

    private static void reject(RoutingRequest req, RoutingResponse res, String why) {
        // Answered here rather than thrown: an exception from a filter would pass the access log before being
        // turned into a response, and the log would not see the 429.
        ErrorResponses.send(req, res, new RegistryException(OciError.TOOMANYREQUESTS, why)
                .withHeader("Retry-After", "1"));
    }
}
