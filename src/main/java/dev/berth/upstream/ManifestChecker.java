package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import java.time.Duration;
import java.util.Optional;
import okhttp3.Response;

/** HEAD of a manifest: what a tag points at now, without the body (and, on Docker Hub, without a pull count). */
final class ManifestChecker {
    private final EndpointCaller caller;
    private final V2Requests requests;

    ManifestChecker(EndpointCaller caller, V2Requests requests) {
        this.caller = caller;
        this.requests = requests;
    }

    /** The manifest's head, the exchange given up after {@code bound} unless that is zero. */
    Optional<ManifestHead> check(RepoName repository, Reference reference, Duration bound) {
        return caller.call(requests.manifest(repository, reference).head().build(), bound,
                response -> read(response, reference));
    }

    private ManifestHead read(Response response, Reference reference) {
        Optional<Digest> announced = DigestHeader.read(response, caller);
        Optional<Digest> requested = reference.asDigest();
        if (announced.isPresent() && requested.isPresent() && !announced.equals(requested)) {
            throw caller.unusable(response, DigestHeader.NAME + " " + announced.get() + " is not the digest asked for");
        }
        Digest digest = announced.or(() -> requested).orElseThrow(() ->
                caller.unusable(response, "no " + DigestHeader.NAME + " for a tag"));
        return new ManifestHead(digest, MediaTypes.essence(response.header("Content-Type")), ContentLength.of(response));
    }
}
