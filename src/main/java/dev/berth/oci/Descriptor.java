package dev.berth.oci;

import java.util.Map;

/** An OCI content descriptor: what a manifest says about content it references. */
public record Descriptor(String mediaType, Digest digest, long size, String artifactType,
                         Map<String, String> annotations) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
