package dev.berth.oci;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A manifest as stored: the raw bytes exactly as pushed or fetched, their digest, the media type, and what the JSON
 * references. The parsed fields are read-only views; the bytes are never re-serialized.
 */
public record Manifest(byte[] bytes, Digest digest, String mediaType, Optional<Descriptor> config,
                       List<Descriptor> layers, List<Descriptor> manifests, Optional<Descriptor> subject,
                       Optional<String> artifactType, Map<String, String> annotations) {

    /** Whether this is a Docker manifest list or an OCI index. */
    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** The blobs this manifest needs in the same repository: config and layers, foreign layers excepted. */
    public Stream<Descriptor> requiredBlobs() {
        return Stream.concat(config.stream(), layers.stream())
                .filter(d -> !MediaTypes.DOCKER_FOREIGN_LAYER.equals(d.mediaType()));
    }

    /** The artifact type a referrers listing reports: artifactType, else the config's media type. */
    public Optional<String> effectiveArtifactType() {
        return artifactType.or(() -> config.map(Descriptor::mediaType));
    }

    /** This manifest as a descriptor, as the referrers API lists it. */
    public Descriptor descriptor() {
        return new Descriptor(mediaType, digest, bytes.length, effectiveArtifactType().orElse(null), annotations);
    }
}
