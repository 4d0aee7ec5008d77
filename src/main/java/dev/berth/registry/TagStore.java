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
 * own (the tag is written at each confirmation anyway) and outlives a restart, for every instance on the store. A
 * pushed tag's second line is {@code pushed <epoch millis>}, which retention ranks tags by; a tag stored before that
 * line existed was pushed when its file was last written.
 */
public final class TagStore {
    private static final int MAX_TAG_TEXT = 256;
    private static final String CONFIRMED = "confirmed ";
    private static final String PUSHED = "pushed ";

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

    /** Points the tag at {@code digest}, as a client pushed it at {@code pushed}. */
    public void put(RepoName name, String tag, Digest digest, Instant pushed) {
        write(name, tag, digest, PUSHED, pushed);
    }

    /** Points the tag at {@code digest}, as its upstream confirmed at {@code confirmed}. */
    public void confirm(RepoName name, String tag, Digest digest, Instant confirmed) {
        write(name, tag, digest, CONFIRMED, confirmed);
    }

    private void write(RepoName name, String tag, Digest digest, String line, Instant at) {
        storage.write(Paths.tag(name, tag), (digest + "\n" + line + at.toEpochMilli())
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A pushed tag with when it was pushed: its {@code pushed} line, or for a tag written before that line existed,
     * when its file was last written.
     */
    public Optional<PushedTag> pushed(RepoName name, String tag) {
        String key = Paths.tag(name, tag);
        return storage.read(key, MAX_TAG_TEXT).map(b -> new String(b, StandardCharsets.UTF_8)).flatMap(text -> {
            Optional<Instant> pushed = line(text, PUSHED)
                    .or(() -> storage.stat(key).map(info -> info.modified()));
            return pushed.map(at -> new PushedTag(tag, firstLine(text), at));
        });
    }

    private static CachedTag parse(String text) {
        // Unreadable: as if never confirmed, so the tag is revalidated.
        return new CachedTag(firstLine(text), line(text, CONFIRMED));
    }

    private static Digest firstLine(String text) {
        int newline = text.indexOf('\n');
        return Digest.parse(newline < 0 ? text : text.substring(0, newline));
    }

    /** The time on the second line when it starts with {@code prefix}; empty when absent or unreadable. */
    private static Optional<Instant> line(String text, String prefix) {
        int newline = text.indexOf('\n');
        String rest = newline < 0 ? "" : text.substring(newline + 1).strip();
        if (!rest.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochMilli(Long.parseLong(rest.substring(prefix.length()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
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
