package dev.berth.events;

import java.util.Optional;

/**
 * Where an act came from: the request's id, the client's address (behind a trusted proxy, the real one), the
 * {@code Host} it asked, its method and user agent, and whether it came over HTTPS; for berth's own acts (a
 * retention round), {@link #BERTH}.
 */
public record Origin(String requestId, String address, String host, String method, String userAgent,
                     boolean https) {
    /** Acts berth does by itself, outside any request. */
    public static final Origin BERTH = new Origin("", "", "", "", "", false);

    /** The base of URLs the client would use, as {@code https://berth.lan:5000}; empty without a request. */
    public Optional<String> baseUrl() {
        return host.isEmpty() ? Optional.empty() : Optional.of((https ? "https://" : "http://") + host);
    }
}
