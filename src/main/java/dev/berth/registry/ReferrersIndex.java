package dev.berth.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** For each subject digest, the descriptors of the manifests that name it as their subject. */
public final class ReferrersIndex {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ENTRY = 64 * 1024;

    private final Storage storage;

    public ReferrersIndex(Storage storage) {
        this.storage = storage;
    }

    /** Records that {@code referrer} names {@code subject}. */
    public void add(RepoName name, Digest subject, Descriptor referrer) {
        storage.write(Paths.referrer(name, subject, referrer.digest()), toJson(referrer));
    }

    /** Forgets that {@code referrer} names {@code subject}. */
    public void remove(RepoName name, Digest subject, Digest referrer) {
        storage.delete(Paths.referrer(name, subject, referrer));
    }

    /** The referrers of {@code subject}, optionally only those of one artifact type. */
    public List<Descriptor> list(RepoName name, Digest subject, Optional<String> artifactType) {
        List<Descriptor> result = new ArrayList<>();
        String prefix = Paths.referrers(name, subject);
        for (String entry : storage.list(prefix)) {
            storage.read(prefix + "/" + entry, MAX_ENTRY).map(ReferrersIndex::fromJson)
                    .filter(d -> artifactType.isEmpty() || artifactType.get().equals(d.artifactType()))
                    .ifPresent(result::add);
        }
        return result;
    }

    private static byte[] toJson(Descriptor d) {
        try {
            return JSON.writeValueAsBytes(d.toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Descriptor fromJson(byte[] bytes) {
        try {
            Map<String, Object> map = JSON.readValue(bytes, Map.class);
            return new Descriptor((String) map.get("mediaType"), Digest.parse((String) map.get("digest")),
                    ((Number) map.get("size")).longValue(), (String) map.get("artifactType"),
                    (Map<String, String>) map.get("annotations"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
