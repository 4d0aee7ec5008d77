package dev.berth.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses and checks manifest bytes; every problem is a MANIFEST_INVALID with a detail that says what is wrong. */
public final class ManifestParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManifestParser() {
    }

    /** Parses {@code bytes} with a sha256 digest; see {@link #parse(byte[], String, String)}. */
    public static Manifest parse(byte[] bytes, String contentType) {
        return parse(bytes, contentType, "sha256");
    }

    /**
     * Parses {@code bytes}, taking the media type from {@code contentType} when it names a manifest type, else from the
     * JSON's {@code mediaType} field, else from its shape. The digest uses {@code algorithm}.
     */
    public static Manifest parse(byte[] bytes, String contentType, String algorithm) {
        JsonNode root = readTree(bytes);
        if (!root.isObject()) {
            throw invalid("a manifest must be a JSON object");
        }
        if (root.path("schemaVersion").asInt(-1) != 2) {
            throw invalid("schemaVersion must be 2 (Docker schema 1 manifests are not supported)");
        }
        String mediaType = mediaType(root, MediaTypes.essence(contentType));
        Optional<Descriptor> subject = optionalDescriptor(root, "subject");
        Optional<String> artifactType = text(root, "artifactType");
        Map<String, String> annotations = stringMap(root.get("annotations"), "annotations");
        if (MediaTypes.isIndex(mediaType)) {
            List<Descriptor> children = descriptors(root, "manifests", true);
            return new Manifest(bytes, digest(bytes, algorithm), mediaType, Optional.empty(), List.of(), children,
                    subject, artifactType, annotations);
        }
        Descriptor config = optionalDescriptor(root, "config")
                .orElseThrow(() -> invalid("an image manifest needs a config descriptor"));
        List<Descriptor> layers = descriptors(root, "layers", MediaTypes.DOCKER_MANIFEST.equals(mediaType));
        return new Manifest(bytes, digest(bytes, algorithm), mediaType, Optional.of(config), layers, List.of(),
                subject, artifactType, annotations);
    }

    private static Digest digest(byte[] bytes, String algorithm) {
        return Digest.of(Digest.newHasher(algorithm).digest(bytes), algorithm);
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null) {
                throw invalid("empty manifest");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw invalid("manifest could not be read: " + e.getMessage());
        }
    }

    private static String mediaType(JsonNode root, String header) {
        Optional<String> declared = text(root, "mediaType");
        if (declared.isPresent() && !MediaTypes.MANIFESTS.contains(declared.get())) {
            throw invalid("unsupported manifest media type: " + declared.get());
        }
        if (MediaTypes.MANIFESTS.contains(header)) {
            if (declared.isPresent() && !declared.get().equals(header)) {
                throw invalid("Content-Type " + header + " does not match the manifest's mediaType " + declared.get());
            }
            return header;
        }
        if (declared.isPresent()) {
            return declared.get();
        }
        if (root.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (root.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw invalid("cannot tell the manifest's media type: set Content-Type or mediaType");
    }

    private static List<Descriptor> descriptors(JsonNode root, String field, boolean required) {
        JsonNode array = root.get(field);
        if (array == null || array.isNull()) {
            if (required) {
                throw invalid("missing \"" + field + "\" array");
            }
            return List.of();
        }
        if (!array.isArray()) {
            throw invalid("\"" + field + "\" must be an array");
        }
        List<Descriptor> result = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            result.add(descriptor(array.get(i), field + "[" + i + "]"));
        }
        return List.copyOf(result);
    }

    private static Optional<Descriptor> optionalDescriptor(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(descriptor(node, field));
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (!node.isObject()) {
            throw invalid(where + " must be a descriptor object");
        }
        String mediaType = text(node, "mediaType").orElseThrow(() -> invalid(where + " has no mediaType"));
        String digestText = text(node, "digest").orElseThrow(() -> invalid(where + " has no digest"));
        Digest digest;
        try {
            digest = Digest.parse(digestText);
        } catch (RegistryException e) {
            throw invalid(where + ": " + e.detail());
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
            throw invalid(where + " needs a non-negative integer size");
        }
        return new Descriptor(mediaType, digest, size.asLong(), text(node, "artifactType").orElse(null),
                stringMap(node.get("annotations"), where + ".annotations"));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid("\"" + field + "\" must be a string");
        }
        return Optional.of(value.asText());
    }

    private static Map<String, String> stringMap(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid(where + " must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw invalid(where + "." + e.getKey() + " must be a string");
            }
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }

    private static RegistryException invalid(String detail) {
        return new RegistryException(OciError.MANIFEST_INVALID, detail);
    }
}
