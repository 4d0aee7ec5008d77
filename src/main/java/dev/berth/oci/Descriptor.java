package dev.berth.oci;

import java.util.LinkedHashMap;
import java.util.Map;

/** An OCI content descriptor: what a manifest says about content it references. */
public record Descriptor(String mediaType, Digest digest, long size, String artifactType,
                         Map<String, String> annotations) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** The JSON form, as the referrers API lists it (and berth's referrers index stores it). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("mediaType", mediaType);
        map.put("digest", digest.toString());
        map.put("size", size);
        if (artifactType != null) {
            map.put("artifactType", artifactType);
        }
        if (!annotations.isEmpty()) {
            map.put("annotations", annotations);
        }
        return map;
    }
}
