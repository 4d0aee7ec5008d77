package dev.berth.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A mirrored repository's copies of its upstream's referrers listings, one small object per subject, replaced whole:
 * a first line {@code confirmed <epoch millis>}, then the listing as the OCI index the Referrers API answers. Kept in
 * the store, like a mirrored tag, so a restart or another instance serves it stale while the upstream fails.
 */
public final class UpstreamReferrersStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIRMED = "confirmed ";

    private final Storage storage;

    public UpstreamReferrersStore(Storage storage) {
        this.storage = storage;
    }

    /** The copy for {@code subject}, if one is stored and readable within {@code maxBytes}. */
    public Optional<CachedReferrers> read(RepoName name, Digest subject, int maxBytes) {
        return storage.read(Paths.upstreamReferrers(name, subject), maxBytes).flatMap(UpstreamReferrersStore::parse);
    }

    /** Replaces the copy for {@code subject}. */
    public void write(RepoName name, Digest subject, CachedReferrers referrers) {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", referrers.manifests().stream().map(Descriptor::toMap).toList());
        try {
            byte[] head = (CONFIRMED + referrers.confirmed().toEpochMilli() + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] body = JSON.writeValueAsBytes(index);
            byte[] all = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            storage.write(Paths.upstreamReferrers(name, subject), all);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<CachedReferrers> parse(byte[] bytes) {
        int newline = indexOf(bytes, (byte) '\n');
        if (newline < 0) {
            return Optional.empty();
        }
        String head = new String(bytes, 0, newline, StandardCharsets.UTF_8);
        try {
            Instant confirmed = Instant.ofEpochMilli(Long.parseLong(head.substring(CONFIRMED.length())));
            byte[] index = Arrays.copyOfRange(bytes, newline + 1, bytes.length);
            return Optional.of(new CachedReferrers(ManifestParser.parse(index, MediaTypes.OCI_INDEX).manifests(),
                    confirmed));
        } catch (RuntimeException e) {
            // Unreadable (cut short, or from another version): as if absent, so the upstream is asked again.
            return Optional.empty();
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
