package dev.berth.http;

import dev.berth.oci.Descriptor;
import dev.berth.oci.MediaTypes;
import dev.berth.registry.Registry;
import dev.berth.registry.Repository;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** The listings: {@code /v2/_catalog}, {@code /v2/<name>/tags/list} and {@code /v2/<name>/referrers/<digest>}. */
final class ListingHandler {
    private final Registry registry;

    ListingHandler(Registry registry) {
        this.registry = registry;
    }

    /** The catalog, listing only the repositories {@code visible} accepts (those the caller may pull). */
    void catalog(ServerRequest req, ServerResponse res, Predicate<String> visible) {
        Pagination pagination = Pagination.of(req);
        List<String> names = registry.catalog().stream().filter(visible).toList();
        List<String> page = pagination.page(names, "/v2/_catalog", res);
        Json.send(res, Map.of("repositories", page));
    }

    void tags(Route.Tags route, Repository repository, ServerRequest req, ServerResponse res) {
        Pagination pagination = Pagination.of(req);
        List<String> tags = repository.tags();
        List<String> page = pagination.page(tags, "/v2/" + route.name() + "/tags/list", res);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", route.name().value());
        body.put("tags", page);
        Json.send(res, body);
    }

    void referrers(Route.Referrers route, Repository repository, ServerRequest req, ServerResponse res) {
        Optional<String> artifactType = Requests.query(req, "artifactType");
        List<Descriptor> referrers = repository.referrers(route.subject(), artifactType);
        artifactType.ifPresent(t -> res.header("OCI-Filters-Applied", "artifactType"));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", referrers.stream().map(Descriptor::toMap).toList());
        Json.send(res, Status.OK_200, MediaTypes.OCI_INDEX, index);
    }
}
