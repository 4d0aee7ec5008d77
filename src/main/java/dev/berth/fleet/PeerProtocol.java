package dev.berth.fleet;

import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.StoredManifest;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The peer wire, both ends of it: where an instance asks a peer ({@code /peer/<cached name>/blobs/<digest>},
 * {@code .../manifests/<reference>}, under the names the cache stores content by: {@code docker.io/library/busybox}),
 * the headers of a manifest's answer, and reading answers back. A blob goes as a plain body of the length said.
 */
final class PeerProtocol {
    /** Where the peer endpoint is. */
    static final String PATH = "/peer";
    /** The header naming the digest of what is sent, as on the registry API. */
    static final String CONTENT_DIGEST = "Docker-Content-Digest";
    /** The header of a manifest's media type. */
    static final String CONTENT_TYPE = "Content-Type";
    /** The header of a tag's answer: how many more milliseconds it may be served without asking the upstream. */
    static final String FRESH_FOR = "Berth-Fresh-For";

    private PeerProtocol() {
    }

    /** Where a member probes another, telling it who probes. */
    static final String PROBE = PATH + "/probe";
    private static final String PROBE_FROM = "from";

    /** The probe's path with its query, from the member {@code self}. */
    static String probePath(URI self) {
        return PROBE + "?" + PROBE_FROM + "=" + URLEncoder.encode(self.toString(), StandardCharsets.UTF_8);
    }

    /** The member a probe says it comes from; empty when its query names none that parses. */
    static Optional<URI> prober(String rawQuery) {
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(PROBE_FROM + "=")) {
                try {
                    return Optional.of(new URI(URLDecoder.decode(pair.substring(PROBE_FROM.length() + 1),
                            StandardCharsets.UTF_8)));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** The path of a blob of the repository cached as {@code cachedName}. */
    static String blobPath(RepoName cachedName, Digest digest) {
        return PATH + "/" + cachedName + "/blobs/" + digest;
    }

    /** The path of a manifest, by tag or digest, of the repository cached as {@code cachedName}. */
    static String manifestPath(RepoName cachedName, String reference) {
        return PATH + "/" + cachedName + "/manifests/" + reference;
    }

    /** The headers of a manifest's answer: its digest, media type and how long its tag stays fresh (0 by digest). */
    static Map<String, String> manifestHeaders(PeerContent.OwnedManifest owned) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(CONTENT_DIGEST, owned.manifest().digest().toString());
        headers.put(CONTENT_TYPE, owned.manifest().mediaType());
        headers.put(FRESH_FOR, String.valueOf(owned.freshFor().toMillis()));
        return headers;
    }

    /**
     * The length of a blob's answer, whose body is then the blob's bytes. A 404 closes the answer and throws
     * {@code unknown}'s error; an answer that cannot serve (another status, no length), an IOException.
     */
    static long blobLength(PeerClient.Answer answer, Supplier<RegistryException> unknown) throws IOException {
        if (answer.status() == 404) {
            answer.close();
            throw unknown.get();
        }
        if (answer.status() != 200 || answer.length() < 0) {
            throw new IOException("the owner answered " + answer.status() + " with length " + answer.length());
        }
        return answer.length();
    }

    /**
     * A tag's answer: the manifest it names by its digest, and how long the owner says the tag stays fresh. Closes the
     * answer; throws as {@link #manifest}, and an IOException when a 200 names no digest.
     */
    static PeerContent.OwnedManifest tag(PeerClient.Answer answer, int maxBytes, Supplier<RegistryException> unknown)
            throws IOException {
        Optional<Digest> digest = answer.header(CONTENT_DIGEST).filter(Digest::looksLikeDigest).map(Digest::parse);
        if (digest.isEmpty() && answer.status() == 200) {
            throw new IOException("the owner's answer names no digest");
        }
        StoredManifest manifest = manifest(answer, digest.orElse(null), maxBytes, unknown);
        long freshFor = answer.header(FRESH_FOR).map(Long::parseLong).orElse(0L);
        return new PeerContent.OwnedManifest(manifest, Duration.ofMillis(freshFor));
    }

    /**
     * A manifest's answer, checked against {@code digest} and {@code maxBytes}; closes the answer. A 404 throws
     * {@code unknown}'s error (the owner says the upstream lacks it); an answer that cannot serve, an IOException.
     */
    static StoredManifest manifest(PeerClient.Answer answer, Digest digest, int maxBytes,
                                   Supplier<RegistryException> unknown) throws IOException {
        try (answer) {
            if (answer.status() == 404) {
                throw unknown.get();
            }
            if (answer.status() != 200) {
                throw new IOException("the owner answered " + answer.status());
            }
            byte[] bytes = answer.body().readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes
                    || !Digest.of(digest.newHasher().digest(bytes), digest.algorithm()).equals(digest)) {
                throw new IOException("the owner sent a manifest that is not " + digest);
            }
            String mediaType = answer.header(CONTENT_TYPE)
                    .orElseThrow(() -> new IOException("the owner's answer has no Content-Type"));
            return new StoredManifest(digest, mediaType, bytes);
        }
    }
}
