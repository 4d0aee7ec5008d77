package dev.berth.mirror;

import dev.berth.cluster.PeerClient;
import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.registry.PeerContent;
import dev.berth.registry.StoredManifest;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads an owner's answer to a manifest request ({@code Docker-Content-Digest}, {@code Content-Type}, the bytes
 * checked against the digest, {@value PeerContent#FRESH_FOR}); an IOException when the answer cannot serve, so the
 * asking instance fetches it itself.
 */
final class OwnerAnswers {
    private OwnerAnswers() {
    }

    /** The digest a tag's answer names; an IOException when a 200 names none. */
    static Optional<Digest> digest(PeerClient.Answer answer) throws IOException {
        Optional<Digest> digest = answer.header("Docker-Content-Digest").filter(Digest::looksLikeDigest)
                .map(Digest::parse);
        if (digest.isEmpty() && answer.status() == 200) {
            throw new IOException("the owner's answer names no digest");
        }
        return digest;
    }

    /** How much longer the owner says a tag may be served unasked: zero when it does not say. */
    static Duration freshFor(PeerClient.Answer answer) {
        return Duration.ofMillis(answer.header(PeerContent.FRESH_FOR).map(Long::parseLong).orElse(0L));
    }

    /**
     * The manifest in the answer, closing it, checked against {@code digest} (null only when the answer is a 404);
     * {@code unknown} when the owner says the upstream does not have it. The owner stored and linked it already.
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
            String mediaType = answer.header("Content-Type")
                    .orElseThrow(() -> new IOException("the owner's answer has no Content-Type"));
            return new StoredManifest(digest, mediaType, bytes);
        }
    }
}
