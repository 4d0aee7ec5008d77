package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Builds the distribution API requests for one registry, each tagged with the token scope it needs. A path in the
 * registry's URL is a prefix of every name there, as a mirror location in podman's {@code registries.conf} has it:
 * {@code http://central:5000/ghcr.io} asks a central berth for {@code /v2/ghcr.io/<name>/...}.
 */
final class V2Requests {
    /** Without this list Docker Hub answers with a schema 1 manifest, which berth does not serve. */
    static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.DOCKER_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX);

    private final HttpUrl base;
    private final String namePrefix;

    /** {@code url}'s path, if any, must be a repository name (checked with the configuration). */
    V2Requests(HttpUrl url) {
        this.base = url.newBuilder().encodedPath("/").build();
        String path = String.join("/", url.pathSegments().stream().filter(s -> !s.isEmpty()).toList());
        this.namePrefix = path.isEmpty() ? "" : RepoName.of(path) + "/";
    }

    Request.Builder manifest(RepoName repository, Reference reference) {
        return get(repository, url(repository, "manifests", reference.toString()))
                .header("Accept", MANIFEST_ACCEPT);
    }

    Request.Builder blob(RepoName repository, Digest digest) {
        // The digest is of the bytes as stored: a transparently decompressed body would never match it.
        return get(repository, url(repository, "blobs", digest.toString())).header("Accept-Encoding", "identity");
    }

    Request.Builder referrers(RepoName repository, Digest subject) {
        return get(repository, url(repository, "referrers", subject.toString())).header("Accept", MediaTypes.OCI_INDEX);
    }

    Request.Builder tags(RepoName repository) {
        return get(repository, url(repository, "tags", "list"));
    }

    private Request.Builder get(RepoName repository, HttpUrl url) {
        return new Request.Builder().url(url).tag(Scope.class, Scope.pull(onRegistry(repository)));
    }

    /** Whether {@code url} is on this registry's origin, the only place its credentials and tokens may go. */
    boolean isRegistry(HttpUrl url) {
        return url.scheme().equals(base.scheme()) && url.host().equals(base.host()) && url.port() == base.port();
    }

    /** The name the registry knows {@code repository} by: with the URL's prefix, if any. */
    private RepoName onRegistry(RepoName repository) {
        return namePrefix.isEmpty() ? repository : RepoName.of(namePrefix + repository.value());
    }

    private HttpUrl url(RepoName repository, String kind, String last) {
        // RepoName's grammar allows only [a-z0-9._/-], so its segments need no escaping.
        return base.newBuilder()
                .addPathSegment("v2")
                .addPathSegments(onRegistry(repository).value())
                .addPathSegment(kind)
                .addPathSegment(last)
                .build();
    }
}
