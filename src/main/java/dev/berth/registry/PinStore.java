package dev.berth.registry;

import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tags pinned through the admin API, one small object each in the store ({@code pins/<name>/_tags/<tag>}), so a pin
 * survives restarts, every instance on a shared store sees it, and two instances pinning at once lose neither pin.
 * The disk budget never evicts a pinned tag's image.
 */
public final class PinStore {
    private final Storage storage;

    PinStore(Storage storage) {
        this.storage = storage;
    }

    /** Pins {@code tag} of the stored repository {@code name}; {@code by} is recorded for people reading the store. */
    public void pin(RepoName name, String tag, String by) {
        storage.write(Paths.pin(name, tag), by.getBytes(StandardCharsets.UTF_8));
    }

    /** Unpins the tag; false when it was not pinned. */
    public boolean unpin(RepoName name, String tag) {
        return storage.delete(Paths.pin(name, tag));
    }

    /** The pinned tags of one repository, sorted. */
    public List<String> tags(RepoName name) {
        return storage.list(Paths.pinnedTags(name));
    }

    /** Every pin, as {@code name:tag}. A walk of the pins alone, which are few beside the repositories. */
    public List<String> all() {
        List<String> pins = new ArrayList<>();
        collect("", pins);
        return pins;
    }

    private void collect(String prefix, List<String> pins) {
        for (String child : storage.list(Paths.pinDirectory(prefix))) {
            if (child.equals(Paths.PINNED_TAGS_DIR) && RepoName.isValid(prefix)) {
                storage.list(Paths.pinnedTags(RepoName.of(prefix))).forEach(tag -> pins.add(prefix + ":" + tag));
            } else if (!child.startsWith("_")) {
                collect(prefix.isEmpty() ? child : prefix + "/" + child, pins);
            }
        }
    }
}
