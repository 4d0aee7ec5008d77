package dev.berth.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.util.Optional;

/**
 * cosign's simple-signing payload, the JSON its signature covers: {@code critical.image.docker-manifest-digest} (the
 * image signed), {@code critical.identity.docker-reference} (its repository) and {@code critical.type}. The bytes are
 * verified as they are; this reads them only to say what they claim.
 */
final class SimpleSigning {
    static final String TYPE = "cosign container image signature";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimpleSigning() {
    }

    /** Why {@code payload} does not claim the image {@code digest} in {@code name}, or empty when it does. */
    static Optional<String> mismatch(byte[] payload, Digest digest, SignedName name) {
        JsonNode critical;
        try {
            critical = JSON.readTree(payload).path("critical");
        } catch (IOException e) {
            return Optional.of("its payload is not JSON");
        }
        String type = critical.path("type").asText("");
        String signed = critical.path("image").path("docker-manifest-digest").asText("");
        String reference = critical.path("identity").path("docker-reference").asText("");
        if (!type.equalsIgnoreCase(TYPE)) {
            return Optional.of("its payload's type is \"" + type + "\", not \"" + TYPE + "\"");
        }
        if (!signed.equals(digest.toString())) {
            return Optional.of("it signs " + (signed.isEmpty() ? "no digest" : signed) + ", not " + digest);
        }
        if (!name.matches(reference)) {
            return Optional.of("it names " + reference + ", not this repository");
        }
        return Optional.empty();
    }
}
