package dev.berth.upstream;

import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import java.util.Optional;
import okhttp3.Response;

/** Reads {@code Docker-Content-Digest}, the digest a registry announces for a manifest. */
final class DigestHeader {
    static final String NAME = "Docker-Content-Digest";

    private DigestHeader() {
    }

    /** The announced digest, if any; a malformed one makes the whole answer unusable. */
    static Optional<Digest> read(Response response, EndpointCaller caller) {
        String value = response.header(NAME);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(value.trim()));
        } catch (RegistryException e) {
            throw caller.unusable(response, NAME + " is not a valid digest: " + e.detail());
        }
    }
}
