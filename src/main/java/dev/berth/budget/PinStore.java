package dev.berth.budget;

import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tags pinned through the admin API, one small object each in the store ({@code pins/<name>/_tags/<tag>}, holding who
 * pinned it), so a pin survives restarts, every instance on a shared store sees it, and two instances pinning at once
 * lose neither pin. The disk budget never evicts a pinned tag's image.
 */
public final class PinStore {
    private static final String PINS = "pins";
    /** Below a name's directory: a repository's name may hold any other component, never one starting with "_". */
    private static final String TAGS_DIR = "_tags";

    private final Storage storage;

    /** The pins kept in {@code storage}. */
    public PinStore(Storage storage) {
        this.storage = storage;
    }

    /** Pins {@code tag} of the stored repository {@code name}; {@code by} is recorded for people reading the store. */
    public void pin(RepoName name, String tag, String by) {
        storage.write(pin(name, tag), by.getBytes(StandardCharsets.UTF_8));
    }

    /** Unpins the tag; false when it was not pinned. */
    public boolean unpin(RepoName name, String tag) {
        return storage.delete(pin(name, tag));
    }

    /** The pinned tags of one repository, sorted. */
    public List<String> tags(RepoName name) {
        return storage.list(pinnedTags(name));
    }

    /** Every pin, as {@code name:tag}. A walk of the pins alone, which are few beside the repositories. */
    public List<String> all() {
        List<String> pins = new ArrayList<>();
        collect("", pins);
        return pins;
    }

    private void collect(String prefix, List<String> pins) {
        for (String child : storage.list(directory(prefix))) {
            if (child.equals(TAGS_DIR) && RepoName.isValid(prefix)) {
                storage.list(pinnedTags(RepoName.of(prefix))).forEach(tag -> pins.add(prefix + ":" + tag));
            } else if (!child.startsWith("_")) {
                collect(prefix.isEmpty() ? child : prefix + "/" + child, pins);
            }
        }
    }

    private static String directory(String prefix) {
        return prefix.isEmpty() ? PINS : PINS + "/" + prefix;
    }

    private static String pinnedTags(RepoName name) {
        return directory(name.value()) + "/" + TAGS_DIR;
    }

    private static String pin(RepoName name, String tag) {
        return pinnedTags(name) + "/" + tag;
    }
}
