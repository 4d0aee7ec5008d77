package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tags per repository: each a small file holding the digest it points at, replaced atomically. A mirrored tag's file
 * has a second line, {@code confirmed <epoch millis>}: when its upstream last confirmed it, which costs no write of its
 * own (the tag is written at each confirmation anyway) and outlives a restart, for every instance on the store.
 */
public final class TagStore {
    private static final int MAX_TAG_TEXT = 256;
    private static final String CONFIRMED = "confirmed ";

    private final Storage storage;

    public TagStore(Storage storage) {
        this.storage = storage;
    }

    /** The digest the tag points at. */
    public Optional<Digest> get(RepoName name, String tag) {
        return read(name, tag).map(CachedTag::digest);
    }

    /** The digest the tag points at, and when its upstream last confirmed it. */
    public Optional<CachedTag> read(RepoName name, String tag) {
        return storage.read(Paths.tag(name, tag), MAX_TAG_TEXT).map(b -> parse(new String(b, StandardCharsets.UTF_8)));
    }

    /** Points the tag at {@code digest}. */
    public void put(RepoName name, String tag, Digest digest) {
        storage.write(Paths.tag(name, tag), digest.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Points the tag at {@code digest}, as its upstream confirmed at {@code confirmed}. */
    public void put(RepoName name, String tag, Digest digest, Instant confirmed) {
        storage.write(Paths.tag(name, tag), (digest + "\n" + CONFIRMED + confirmed.toEpochMilli())
                .getBytes(StandardCharsets.UTF_8));
    }

    private static CachedTag parse(String text) {
        int newline = text.indexOf('\n');
        if (newline < 0) {
            return new CachedTag(Digest.parse(text), Optional.empty());
        }
        Optional<Instant> confirmed = Optional.empty();
        String rest = text.substring(newline + 1).strip();
        if (rest.startsWith(CONFIRMED)) {
            try {
                confirmed = Optional.of(Instant.ofEpochMilli(Long.parseLong(rest.substring(CONFIRMED.length()))));
            } catch (NumberFormatException e) {
                // Unreadable: as if never confirmed, so the tag is revalidated.
            }
        }
        return new CachedTag(Digest.parse(text.substring(0, newline)), confirmed);
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
