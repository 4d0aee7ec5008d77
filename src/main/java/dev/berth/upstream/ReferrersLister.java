package dev.berth.upstream;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import okhttp3.Response;

/**
 * GET of the Referrers API ({@code /v2/<name>/referrers/<digest>}), all its {@link LinkedPages}: each page an OCI
 * index read whole within what is left of the document limit, and checked as any index is.
 */
final class ReferrersLister {
    private final EndpointCaller caller;
    private final V2Requests requests;
    private final LinkedPages pages;

    ReferrersLister(EndpointCaller caller, V2Requests requests, LinkedPages pages) {
        this.caller = caller;
        this.requests = requests;
        this.pages = pages;
    }

    /**
     * The descriptors of {@code subject}'s referrers, or empty when the upstream has no Referrers API: it answers 404,
     * or 200 with something other than an OCI index.
     */
    Optional<List<Descriptor>> list(RepoName repository, Digest subject, Duration bound) {
        return pages.all("referrers", requests.referrers(repository, subject).build(), bound, this::read);
    }

    private LinkedPages.Page<Descriptor> read(Response response, long left) throws IOException {
        if (!MediaTypes.OCI_INDEX.equals(MediaTypes.essence(response.header("Content-Type")))) {
            // The spec's answer is an OCI index, said so; anything else (a catch-all page, say) is a registry
            // without the Referrers API, as clients take it: its fallback tags are read instead.
            return null;
        }
        // The whole page is parsed as one tree: at most the document limit, which the operator sets.
        byte[] bytes = BoundedDocument.bytes(response, "referrers index", (int) Math.min(left, Integer.MAX_VALUE),
                LinkedPages.LIMIT_KEY);
        try {
            return new LinkedPages.Page<>(ManifestParser.parse(bytes, MediaTypes.OCI_INDEX).manifests(), bytes.length);
        } catch (RegistryException e) {
            throw caller.unusable(response, "referrers answer is not an OCI index: " + e.detail());
        }
    }
}
