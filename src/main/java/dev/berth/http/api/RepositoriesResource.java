package dev.berth.http.api;

import dev.berth.admin.ImageActions;
import dev.berth.admin.Page;
import dev.berth.admin.RepositoryCatalog;
import dev.berth.admin.RepositoryInfo;
import dev.berth.admin.TagInfo;
import dev.berth.admin.TagListing;
import dev.berth.http.Acts;
import dev.berth.oci.RepoName;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/v1/repositories}: the stored repositories a caller may pull (searched, paged), a repository's tags, and
 * the administrator's deletes, pins and unpins. Reading follows the pull rights, writing needs {@code admin}.
 */
public final class RepositoriesResource implements ApiResource {
    private static final String ITEM = "/repositories/";

    private final RepositoryCatalog catalog;
    private final TagListing tags;
    private final ImageActions images;
    private final Acts acts;

    /** Over the admin services' catalog, tag listings and actions; deletes and pins are reported to {@code acts}. */
    public RepositoriesResource(RepositoryCatalog catalog, TagListing tags, ImageActions images, Acts acts) {
        this.catalog = catalog;
        this.tags = tags;
        this.images = images;
        this.acts = acts;
    }

    @Override
    public void routes(ApiRoutes routes) {
        routes.get("/repositories", this::list);
        routes.get("/repositories/*", (call, res) -> tags(call, RepositoryPath.parse(rest(call), false), res));
        routes.put("/repositories/*", (call, res) -> write(call, RepositoryPath.parse(rest(call), true), true, res));
        routes.delete("/repositories/*", (call, res) -> write(call, RepositoryPath.parse(rest(call), true), false,
                res));
    }

    private void list(ApiCall call, ServerResponse res) {
        Page<RepositoryInfo> page = catalog.list(call.query("q").orElse(""), call.query("last"), size(call),
                call::canPull);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("repositories", page.items().stream().map(RepositoriesResource::repository).toList());
        body.put("total", page.total());
        body.put("next", page.next().orElse(null));
        ApiJson.send(res, body);
    }

    private void tags(ApiCall call, RepositoryPath path, ServerResponse res) {
        RepoName name = ((RepositoryPath.Tags) path).name();
        RepositoryInfo repository = visible(call, name);
        Page<TagInfo> page = tags.list(name, call.query("last"), size(call));
        Map<String, Object> body = repository(repository);
        body.put("tags", page.items().stream().map(RepositoriesResource::tag).toList());
        body.put("total", page.total());
        body.put("next", page.next().orElse(null));
        ApiJson.send(res, body);
    }

    private void write(ApiCall call, RepositoryPath path, boolean put, ServerResponse res) {
        switch (path) {
            case RepositoryPath.Pin pin when put -> {
                call.requireAdmin(pin.name().value());
                images.pin(pin.name(), pin.tag(), call.principal().user());
                acts.pinned(call.request(), call.principal(), pin.name(), pin.tag(), true);
            }
            case RepositoryPath.Pin pin -> {
                call.requireAdmin(pin.name().value());
                images.unpin(pin.name(), pin.tag());
                acts.pinned(call.request(), call.principal(), pin.name(), pin.tag(), false);
            }
            case RepositoryPath.Tag tag when !put -> {
                call.requireAdmin(tag.name().value());
                images.deleteTag(tag.name(), tag.tag());
                acts.deletedByAdmin(call.request(), call.principal(), tag.name(), Optional.of(tag.tag()),
                        Optional.empty());
            }
            case RepositoryPath.Manifest manifest when !put -> {
                call.requireAdmin(manifest.name().value());
                images.deleteImage(manifest.name(), manifest.digest());
                acts.deletedByAdmin(call.request(), call.principal(), manifest.name(), Optional.empty(),
                        Optional.of(manifest.digest()));
            }
            default -> throw new ApiException(ApiError.METHOD_NOT_ALLOWED, (put ? "PUT" : "DELETE")
                    + " is not allowed here; tags and manifests are deleted, pins put and deleted");
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * The repository, when the caller may pull it; else a 401 for an anonymous caller (logging in may help) and a 404
     * for a user, which does not tell whether it exists.
     */
    private RepositoryInfo visible(ApiCall call, RepoName name) {
        if (!call.canPull(name.value())) {
            if (call.principal().isAnonymous()) {
                throw new ApiException(ApiError.UNAUTHORIZED, "log in to see " + name)
                        .withHeader("WWW-Authenticate", ApiAccess.CHALLENGE);
            }
            throw unknown(name);
        }
        return catalog.find(name).orElseThrow(() -> unknown(name));
    }

    private static ApiException unknown(RepoName name) {
        return new ApiException(ApiError.NOT_FOUND, "no repository " + name);
    }

    private static String rest(ApiCall call) {
        String raw = call.request().path().absolute().rawPath();
        return raw.substring(raw.indexOf(ITEM) + ITEM.length());
    }

    private static int size(ApiCall call) {
        Optional<String> n = call.query("n");
        try {
            return Page.size(n.map(Integer::parseInt));
        } catch (NumberFormatException e) {
            throw new ApiException(ApiError.BAD_REQUEST, "n must be a whole number: " + n.get());
        }
    }

    private static Map<String, Object> repository(RepositoryInfo repository) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", repository.name());
        map.put("private", repository.isPrivate());
        map.put("upstream", repository.upstream().orElse(null));
        return map;
    }

    private static Map<String, Object> tag(TagInfo tag) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("tag", tag.tag());
        map.put("digest", tag.digest());
        map.put("mediaType", tag.mediaType());
        map.put("size", tag.size());
        map.put("platforms", tag.platforms().stream().map(p -> Map.of("platform", p.platform(), "digest", p.digest(),
                "size", p.size(), "cached", p.cached())).toList());
        map.put("lastPulled", tag.lastPulled().map(Object::toString).orElse(null));
        map.put("pinned", tag.pinned());
        map.put("signature", tag.signature().map(sig -> Map.of("state", sig.state(), "key", sig.key(),
                "reason", sig.reason())).orElse(null));
        return map;
    }
}
