package dev.berth.http;

import dev.berth.auth.Caller;
import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.Repository;
import dev.berth.registry.UploadSessions;
import dev.berth.registry.WritableRepository;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.function.Function;

/** {@code /v2/<name>/blobs/uploads/[<id>]}: start (with mount and monolithic forms), PATCH, PUT, GET, DELETE. */
final class UploadHandler {
    private static final String UPLOAD_UUID = "Docker-Upload-UUID";

    /** A blob mounted from another repository instead of uploaded. */
    record Mount(Digest digest, RepoName from) {
    }

    /**
     * Starts an upload; returns the mount when it linked the blob from another repository instead.
     * {@code mountSource} gives the repository a {@code from} parameter names when the caller may pull from it; a
     * mount the caller may not read from becomes an ordinary upload, as in distribution.
     */
    Optional<Mount> start(Route.UploadStart route, WritableRepository repository,
                          Function<RepoName, Optional<Repository>> mountSource, Caller caller, ServerRequest req,
                          ServerResponse res) {
        Optional<String> mount = Requests.query(req, "mount");
        Optional<String> from = Requests.query(req, "from");
        if (mount.isPresent() && from.isPresent()) {
            Digest digest = Digest.parse(mount.get());
            RepoName sourceName = RepoName.of(from.get());
            Optional<Repository> source = mountSource.apply(sourceName);
            if (source.isPresent() && repository.mountBlob(digest, source.get())) {
                created(route.name(), digest, res);
                return Optional.of(new Mount(digest, sourceName));
            }
        }
        Optional<String> monolithic = Requests.query(req, "digest");
        if (monolithic.isPresent()) {
            Digest digest = Digest.parse(monolithic.get());
            repository.putBlob(Requests.stream(req), digest);
            created(route.name(), digest, res);
            return Optional.empty();
        }
        String id = repository.uploads().start(client(caller, req));
        progress(route.name(), id, 0, res, Status.ACCEPTED_202);
        return Optional.empty();
    }

    /**
     * Whom a session counts against: the user who starts it, wherever from; else the address it comes from (by
     * {@link ClientKey}), since without a login that is all berth knows of the client.
     */
    private static String client(Caller caller, ServerRequest req) {
        return caller.principal().user().map(user -> "user " + user).orElseGet(() -> ClientKey.of(req));
    }

    void patch(Route.Upload route, WritableRepository repository, ServerRequest req, ServerResponse res) {
        Optional<Long> chunkStart = Requests.chunkStart(req);
        long size = repository.uploads().append(route.id(), Requests.stream(req), chunkStart);
        progress(route.name(), route.id(), size, res, Status.ACCEPTED_202);
    }

    void put(Route.Upload route, WritableRepository repository, ServerRequest req, ServerResponse res) {
        Digest digest = Requests.digestParam(req);
        Optional<Long> chunkStart = Requests.chunkStart(req);
        repository.uploads().complete(route.id(), Requests.stream(req), chunkStart, digest);
        created(route.name(), digest, res);
    }

    void status(Route.Upload route, WritableRepository repository, ServerResponse res) {
        progress(route.name(), route.id(), repository.uploads().size(route.id()), res, Status.NO_CONTENT_204);
    }

    void cancel(Route.Upload route, WritableRepository repository, ServerResponse res) {
        repository.uploads().cancel(route.id());
        res.status(Status.NO_CONTENT_204).send();
    }

    private static void progress(RepoName name, String id, long size, ServerResponse res, Status status) {
        res.status(status);
        res.header(HeaderNames.LOCATION, "/v2/" + name + "/blobs/uploads/" + id);
        res.header(HeaderNames.RANGE, UploadSessions.rangeHeader(size));
        res.header(UPLOAD_UUID, id);
        res.header(HeaderNames.CONTENT_LENGTH, "0");
        res.send();
    }

    private static void created(RepoName name, Digest digest, ServerResponse res) {
        res.status(Status.CREATED_201);
        res.header(HeaderNames.LOCATION, "/v2/" + name + "/blobs/" + digest);
        res.header(RegistryHeaders.DOCKER_CONTENT_DIGEST, digest.toString());
        res.header(HeaderNames.CONTENT_LENGTH, "0");
        res.send();
    }
}
