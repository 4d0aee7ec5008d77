package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.Response;

/**
 * GET of a manifest: the raw bytes, bounded in size, hashed before anything else looks at them, and checked against
 * every digest the exchange claims (the reference when it is one, and {@code Docker-Content-Digest}).
 */
final class ManifestPuller {
    private final EndpointCaller caller;
    private final V2Requests requests;

    ManifestPuller(EndpointCaller caller, V2Requests requests) {
        this.caller = caller;
        this.requests = requests;
    }

    Optional<UpstreamManifest> pull(RepoName repository, Reference reference, int maxBytes) {
        return caller.call(requests.manifest(repository, reference).build(),
                response -> read(response, reference, maxBytes));
    }

    private UpstreamManifest read(Response response, Reference reference, int maxBytes) throws IOException {
        // Whatever Content-Length claims, and counted as decoded.
        byte[] bytes = BoundedDocument.bytes(response, "manifest", maxBytes, "limits.max-manifest-size");
        List<Digest> claimed = new ArrayList<>(2);
        reference.asDigest().ifPresent(claimed::add);
        DigestHeader.read(response, caller).ifPresent(claimed::add);
        for (Digest expected : claimed) {
            Digest actual = Digest.of(expected.newHasher().digest(bytes), expected.algorithm());
            if (!actual.equals(expected)) {
                throw caller.unusable(response, "manifest bytes hash to " + actual + ", expected " + expected);
            }
        }
        Digest digest = claimed.isEmpty() ? Digest.sha256(bytes) : claimed.get(0);
        return new UpstreamManifest(bytes, digest, MediaTypes.essence(response.header("Content-Type")));
    }
}
