package dev.berth.mirror;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.registry.StoredManifest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The referrers an upstream without the Referrers API keeps in tags, read through the mirror's tags (cached, fresh
 * for the tag TTL, their manifests pulled through): the OCI distribution spec's fallback tag {@code <alg>-<hex>}, an
 * index listing the referrers, and cosign's {@code <alg>-<hex>.sig}, {@code .att} and {@code .sbom}, each one manifest
 * listed with the artifact type cosign gives the same attachment when it writes it as an OCI 1.1 referrer.
 */
final class FallbackReferrers {
    /** cosign's attachment tag suffixes, each with its artifact type. */
    static final Map<String, String> COSIGN_TAGS = cosignTags();

    private final MirroredTags tags;

    FallbackReferrers(MirroredTags tags) {
        this.tags = tags;
    }

    /** What the upstream's tags say refers to {@code subject}, each digest once. */
    List<Descriptor> list(Digest subject) {
        Map<Digest, Descriptor> found = new LinkedHashMap<>();
        manifest(fallbackTag(subject)).filter(Manifest::isIndex)
                .ifPresent(index -> index.manifests().forEach(d -> found.putIfAbsent(d.digest(), d)));
        String base = subject.algorithm() + "-" + subject.hex();
        COSIGN_TAGS.forEach((suffix, artifactType) -> manifest(base + "." + suffix).ifPresent(m -> found.putIfAbsent(
                m.digest(), new Descriptor(m.mediaType(), m.digest(), m.bytes().length, artifactType, m.annotations()))));
        return List.copyOf(found.values());
    }

    /** The spec's fallback tag: the algorithm cut to 32 characters, the hex to 64, joined by a dash. */
    static String fallbackTag(Digest subject) {
        String algorithm = subject.algorithm();
        String hex = subject.hex();
        return algorithm.substring(0, Math.min(32, algorithm.length())).replaceAll("[^a-zA-Z0-9._-]", "-") + "-"
                + hex.substring(0, Math.min(64, hex.length()));
    }

    /** The manifest the upstream's tag points at, parsed; empty when there is no such tag (or it cannot be one). */
    private Optional<Manifest> manifest(String tag) {
        if (!(Reference.tryParse(tag).orElse(null) instanceof Reference.Tag)) {
            return Optional.empty();
        }
        try {
            StoredManifest stored = tags.resolve(tag);
            return Optional.of(ManifestParser.parse(stored.bytes(), stored.mediaType(), stored.digest().algorithm()));
        } catch (RegistryException e) {
            if (e.error() == OciError.MANIFEST_UNKNOWN) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Map<String, String> cosignTags() {
        Map<String, String> types = new LinkedHashMap<>();
        for (String suffix : List.of("sig", "att", "sbom")) {
            types.put(suffix, "application/vnd.dev.cosign.artifact." + suffix + ".v1+json");
        }
        return Collections.unmodifiableMap(types);
    }
}
