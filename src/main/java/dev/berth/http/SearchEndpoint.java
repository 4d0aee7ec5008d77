package dev.berth.http;

import dev.berth.auth.Caller;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.registry.Registry;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Docker's search API, {@code /v1/search?q=TERM&n=N}, which {@code docker search berth.lan:5000/TERM} asks (after
 * {@code /v1/_ping}): the private and cached repositories whose name contains the term and that the caller may pull,
 * in the response format Docker Hub uses. berth keeps no descriptions or stars: those are empty and 0.
 */
final class SearchEndpoint implements HttpService {
    /** Docker's own bounds for {@code n}, and its default. */
    private static final int MAX_RESULTS = 100;
    private static final int DEFAULT_RESULTS = 25;
    private static final int MAX_TERM = 255;

    private final Registry registry;
    private final AccessControl access;

    SearchEndpoint(Registry registry, AccessControl access) {
        this.registry = registry;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/_ping", (req, res) -> Json.send(res, Map.of()));
        rules.get("/search", this::search);
    }

    private void search(ServerRequest req, ServerResponse res) {
        Caller caller = access.authenticate(req);
        String term = Requests.query(req, "q").orElse("").toLowerCase(Locale.ROOT);
        if (term.length() > MAX_TERM) {
            throw new RegistryException(OciError.UNSUPPORTED, "the search term is longer than " + MAX_TERM);
        }
        int limit = limit(Requests.query(req, "n").orElse(String.valueOf(DEFAULT_RESULTS)));
        List<String> matching = registry.catalog().stream().filter(name -> name.contains(term))
                .filter(name -> access.canPull(caller, name)).toList();
        List<Map<String, Object>> results = matching.stream().limit(limit).map(SearchEndpoint::result).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("num_results", matching.size());
        body.put("query", term);
        body.put("results", results);
        Json.send(res, body);
    }

    private static Map<String, Object> result(String name) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("name", name);
        result.put("description", "");
        result.put("star_count", 0);
        result.put("is_official", false);
        result.put("is_automated", false);
        return result;
    }

    private static int limit(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_RESULTS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Said below.
        }
        throw new RegistryException(OciError.PAGINATION_NUMBER_INVALID, "n must be a number from 1 to " + MAX_RESULTS);
    }
}
