package dev.berth.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Digest;
import dev.berth.oci.Platform;
import dev.berth.registry.StoredManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One manifest an index lists, with its platform when the index names one (read from the stored bytes). */
record IndexEntry(Digest digest, Optional<Platform> platform) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The entries of {@code index}, a Docker manifest list or an OCI index. */
    static List<IndexEntry> of(StoredManifest index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<IndexEntry> entries = new ArrayList<>();
        for (JsonNode entry : root.path("manifests")) {
            JsonNode platform = entry.path("platform");
            Optional<Platform> named = platform.hasNonNull("os") && platform.hasNonNull("architecture")
                    ? Optional.of(new Platform(platform.get("os").asText(), platform.get("architecture").asText(),
                    Optional.ofNullable(platform.get("variant")).map(JsonNode::asText)))
                    : Optional.empty();
            entries.add(new IndexEntry(Digest.parse(entry.path("digest").asText()), named));
        }
        return entries;
    }
}
