package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** Tags per repository: each a small file holding the digest it points at, replaced atomically. */
public final class TagStore {
    private static final int MAX_DIGEST_TEXT = 200;

    private final Storage storage;

    public TagStore(Storage storage) {
        this.storage = storage;
    }

    /** The digest the tag points at. */
    public Optional<Digest> get(RepoName name, String tag) {
        return storage.read(Paths.tag(name, tag), MAX_DIGEST_TEXT)
                .map(b -> Digest.parse(new String(b, StandardCharsets.UTF_8)));
    }

    /** Points the tag at {@code digest}. */
    public void put(RepoName name, String tag, Digest digest) {
        storage.write(Paths.tag(name, tag), digest.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the tag; false when it was absent. */
    public boolean delete(RepoName name, String tag) {
        return storage.delete(Paths.tag(name, tag));
    }

    /** All tags of the repository, sorted. */
    public List<String> list(RepoName name) {
        return storage.list(Paths.tags(name));
    }
}
