package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The {@code n}/{@code last} parameters of tag and catalog listings, and the {@code Link} header to the next page. */
record Pagination(int limit, Optional<String> last) {
    private static final int MAX = 10_000;

    /** Reads {@code n} (default and cap 10,000) and {@code last}. */
    static Pagination of(ServerRequest req) {
        int limit = MAX;
        Optional<String> n = Requests.query(req, "n");
        if (n.isPresent()) {
            try {
                limit = Integer.parseInt(n.get());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 0) {
                throw new RegistryException(OciError.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer");
            }
        }
        return new Pagination(Math.min(limit, MAX), Requests.query(req, "last"));
    }

    /**
     * Returns the page of {@code sorted} after {@code last}; when entries remain, adds a Link header pointing at the
     * next page of {@code path}.
     */
    List<String> page(List<String> sorted, String path, ServerResponse res) {
        List<String> after = sorted.stream().filter(s -> last.isEmpty() || s.compareTo(last.get()) > 0).toList();
        List<String> page = after.subList(0, Math.min(limit, after.size()));
        if (page.size() < after.size() && !page.isEmpty()) {
            res.header("Link", "<" + path + "?n=" + limit + "&last="
                    + URLEncoder.encode(page.getLast(), StandardCharsets.UTF_8) + ">; rel=\"next\"");
        }
        return page;
    }
}
