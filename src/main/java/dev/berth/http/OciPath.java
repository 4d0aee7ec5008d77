package dev.berth.http;

import dev.berth.oci.Digest;
import dev.berth.oci.ErrorText;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the raw (still percent-encoded) request path into a {@link Route}. Names, references and digests are checked
 * against the spec grammar here, so nothing that reaches a service can contain an encoded slash or a dot segment.
 */
public final class OciPath {
    private static final Pattern RESOURCE = Pattern.compile(
            "/v2/(.+?)/(tags/list|manifests/[^/]+|blobs/uploads/?|blobs/uploads/[^/]+|blobs/[^/]+|referrers/[^/]+)/?");

    private OciPath() {
    }

    /** The route for {@code rawPath}, or NOT_FOUND. */
    public static Route parse(String rawPath) {
        if (rawPath.equals("/v2") || rawPath.equals("/v2/")) {
            return new Route.Base();
        }
        if (rawPath.equals("/v2/_catalog")) {
            return new Route.Catalog();
        }
        Matcher m = RESOURCE.matcher(rawPath);
        if (!m.matches()) {
            throw new RegistryException(OciError.NOT_FOUND, "no registry endpoint at " + ErrorText.shorten(rawPath));
        }
        RepoName name = RepoName.of(m.group(1));
        String resource = m.group(2);
        if (resource.equals("tags/list")) {
            return new Route.Tags(name);
        }
        if (resource.startsWith("manifests/")) {
            String reference = after(resource, "manifests/");
            return Reference.tryParse(reference).<Route>map(r -> new Route.Manifest(name, r))
                    .orElseGet(() -> new Route.InvalidTag(name, reference));
        }
        if (resource.startsWith("referrers/")) {
            return new Route.Referrers(name, Digest.parse(after(resource, "referrers/")));
        }
        if (resource.startsWith("blobs/uploads")) {
            String id = after(resource, "blobs/uploads").replace("/", "");
            return id.isEmpty() ? new Route.UploadStart(name) : new Route.Upload(name, id);
        }
        return new Route.Blob(name, Digest.parse(after(resource, "blobs/")));
    }

    private static String after(String text, String prefix) {
        return text.substring(prefix.length());
    }
}
