package dev.berth.events;

import java.util.Optional;

/**
 * Where an act came from: the request's id, the client's address (behind a trusted proxy, the real one), the
 * {@code Host} it asked, its method and user agent, and whether it came over HTTPS.
 */
public record Origin(String requestId, String address, String host, String method, String userAgent,
                     boolean https) {
    /** The base of URLs the client would use, as {@code https://berth.lan:5000}; empty without a request. */
    public Optional<String> baseUrl() {
        return host.isEmpty() ? Optional.empty() : Optional.of((https ? "https://" : "http://") + host);
    }
}
