package dev.berth.observe;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.List;

/**
 * Sends a multi-valued {@code Cache-Control} as one header line: Helidon's health and metrics endpoints set
 * {@code no-cache, no-store, must-revalidate, no-transform} as four values, which HTTP/1.1 writes as four headers.
 */
public final class OneCacheControl implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.beforeSend(() -> res.headers().value(HeaderNames.CACHE_CONTROL).ifPresent(first -> {
            List<String> values = res.headers().get(HeaderNames.CACHE_CONTROL).allValues();
            if (values.size() > 1) {
                res.headers().set(HeaderNames.CACHE_CONTROL, String.join(", ", values));
            }
        }));
        chain.proceed();
    }
}
