package dev.berth.http;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.registry.ManifestGate;
import dev.berth.registry.PushedManifest;
import dev.berth.registry.Repository;
import dev.berth.registry.WritableRepository;
import dev.berth.registry.StoredManifest;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code /v2/<name>/manifests/<reference>}: GET, HEAD, PUT, DELETE. */
final class ManifestHandler {
    private final int maxManifestBytes;
    private final ManifestGate gate;

    ManifestHandler(int maxManifestBytes, ManifestGate gate) {
        this.maxManifestBytes = maxManifestBytes;
        this.gate = gate;
    }

    /** What a pushed manifest is, for the report of the push. */
    interface Pushed {
        void stored(Digest digest, String mediaType, long size);
    }

    /** Answers with the manifest, which it returns. */
    StoredManifest get(Route.Manifest route, Repository repository, ServerRequest req, ServerResponse res,
                       boolean head) {
        StoredManifest manifest = repository.manifest(route.reference());
        checkAccepted(req, manifest, route);
        gate.admit(repository, manifest);
        String etag = "\"" + manifest.digest() + "\"";
        res.header(HeaderNames.CONTENT_TYPE, manifest.mediaType());
        res.header(RegistryHeaders.DOCKER_CONTENT_DIGEST, manifest.digest().toString());
        res.header(HeaderNames.ETAG, etag);
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).filter(etag::equals).isPresent()) {
            res.status(Status.NOT_MODIFIED_304).send();
        } else if (head) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(manifest.bytes().length));
            res.send();
        } else {
            res.send(manifest.bytes());
        }
        return manifest;
    }

    /** Stores the manifest, tells {@code pushed} what it stored, then answers 201. */
    void put(Route.Manifest route, WritableRepository repository, ServerRequest req, ServerResponse res,
             Pushed pushedAs) {
        byte[] body = Requests.body(req, maxManifestBytes, "manifest");
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        PushedManifest pushed = repository.putManifest(route.reference(), body, contentType);
        pushedAs.stored(pushed.digest(), pushed.mediaType(), body.length);
        res.status(Status.CREATED_201);
        res.header(HeaderNames.LOCATION, "/v2/" + route.name() + "/manifests/" + pushed.digest());
        res.header(RegistryHeaders.DOCKER_CONTENT_DIGEST, pushed.digest().toString());
        pushed.subject().ifPresent(s -> res.header("OCI-Subject", s.toString()));
        res.send();
    }

    void delete(Route.Manifest route, WritableRepository repository, ServerResponse res) {
        repository.deleteManifest(route.reference());
        res.status(Status.ACCEPTED_202).send();
    }

    /**
     * Answers MANIFEST_UNKNOWN when the client lists the manifest types it accepts and the stored one is not among
     * them (as distribution does), so that it does not receive a manifest it cannot parse.
     */
    private static void checkAccepted(ServerRequest req, StoredManifest manifest, Route.Manifest route) {
        Set<String> accepted = req.headers().values(HeaderNames.ACCEPT).stream()
                .flatMap(v -> List.of(v.split(",")).stream())
                .map(MediaTypes::essence)
                .filter(t -> !t.isEmpty())
                .collect(Collectors.toSet());
        boolean namesManifestTypes = accepted.stream().anyMatch(MediaTypes.MANIFESTS::contains);
        if (namesManifestTypes && !accepted.contains(manifest.mediaType()) && !accepted.contains("*/*")) {
            throw new RegistryException(OciError.MANIFEST_UNKNOWN, "manifest " + route.reference() + " is "
                    + manifest.mediaType() + ", which the Accept header does not list");
        }
    }
}
