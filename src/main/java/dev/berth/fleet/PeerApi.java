package dev.berth.fleet;

import dev.berth.http.BlobBody;
import dev.berth.http.EveryMethod;
import dev.berth.http.OciPath;
import dev.berth.http.Route;
import dev.berth.oci.ErrorText;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.registry.BlobContent;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The peer endpoint ({@code /peer/<cached name>/blobs/<digest>}, {@code .../manifests/<reference>}), through which
 * the instances of a fleet get what another one owns, as it arrives there, and where they probe each other
 * ({@code /peer/probe}). It answers only GETs signed with the
 * cluster secret ({@link PeerSignature}): 401 without a signature, 403 with a wrong or stale one, and 403 always on an
 * instance without {@code cluster.secret-file}. Outside {@code /v2}, so nothing a client sends to the registry API
 * reaches it; requests signed by an instance pass no access rules, as the asking instance checked its client already.
 */
public final class PeerApi implements HttpService {
    /** Where the endpoint is mounted, outside {@code /v2}. */
    public static final String PATH = PeerProtocol.PATH;

    private final PeerContent content;
    private final Optional<PeerSignature> signature;
    private final PeerEvents events;
    private final Consumer<URI> probedBy;

    /**
     * Serves {@code content} to requests signed with {@code signature}, counted in {@code events}, and tells
     * {@code probedBy} which member a probe came from; with no signature, refuses every request.
     */
    PeerApi(PeerContent content, Optional<PeerSignature> signature, PeerEvents events, Consumer<URI> probedBy) {
        this.content = content;
        this.signature = signature;
        this.events = events;
        this.probedBy = probedBy;
    }

    @Override
    public void routing(HttpRules rules) {
        EveryMethod.route(rules, this::dispatch);
    }

    private void dispatch(ServerRequest req, ServerResponse res) throws IOException {
        String rawPath = req.path().absolute().rawPath();
        String query = req.query().rawValue();
        authenticate(req, query.isEmpty() ? rawPath : rawPath + "?" + query);
        if (req.prologue().method() != Method.GET) {
            throw new RegistryException(OciError.UNSUPPORTED, "the peer endpoint answers GET only");
        }
        if (rawPath.equals(PeerProtocol.PROBE)) {
            PeerProtocol.prober(query).ifPresent(probedBy);
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        // The registry API's grammar checks, on the same path under /v2.
        Route route = OciPath.parse("/v2" + rawPath.substring(PeerProtocol.PATH.length()));
        switch (route) {
            case Route.Blob blob -> blob(blob, req, res);
            case Route.Manifest manifest -> manifest(manifest, res);
            default -> throw new RegistryException(OciError.NOT_FOUND, "no peer endpoint at "
                    + ErrorText.shorten(rawPath));
        }
    }

    private void authenticate(ServerRequest req, String target) {
        PeerSignature signer = signature.orElseThrow(() -> new RegistryException(OciError.DENIED,
                "this instance takes no peer requests: it has no cluster.secret-file"));
        PeerSignature.Check check = signer.check(req.prologue().method().text(), target,
                req.headers().first(HeaderNames.create(PeerSignature.TIME)),
                req.headers().first(HeaderNames.create(PeerSignature.SIGNATURE)));
        switch (check) {
            case VALID -> {
            }
            case MISSING -> throw new RegistryException(OciError.UNAUTHORIZED,
                    "the peer endpoint is for the instances of a fleet: requests must be signed with the cluster secret");
            case WRONG -> throw new RegistryException(OciError.DENIED, "the peer request's signature is wrong");
            case STALE -> throw new RegistryException(OciError.DENIED, "the peer request's signature is out of date"
                    + " (are the instances' clocks more than 30 seconds apart?)");
        }
    }

    private void blob(Route.Blob route, ServerRequest req, ServerResponse res) throws IOException {
        try (BlobContent blob = content.blob(route.name(), route.digest())) {
            events.servedToPeer(PeerEvents.Kind.BLOB);
            res.header(PeerProtocol.CONTENT_DIGEST, route.digest().toString());
            // Content-Length before outputStream(): a plain body, whose end the asking instance checks.
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(blob.size()));
            BlobBody.send(req, res, blob, 0, blob.size());
        }
    }

    private void manifest(Route.Manifest route, ServerResponse res) {
        PeerContent.OwnedManifest owned = content.manifest(route.name(), route.reference());
        events.servedToPeer(PeerEvents.Kind.MANIFEST);
        PeerProtocol.manifestHeaders(owned).forEach(res::header);
        res.send(owned.manifest().bytes());
    }
}
