package dev.berth.storage;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Byte objects by key: the only place berth's data touches a disk or a remote store. It knows nothing of OCI or
 * HTTP. Keys are relative {@code /}-separated paths checked by {@link StorageKeys}. Absence is an empty Optional; I/O
 * failures are {@link java.io.UncheckedIOException}s.
 *
 * <p>Only what every object store offers: no append, no rename, no read of an object being written. What only some
 * stores offer is a capability interface beside this one ({@link PartUploads}). Every implementation passes the
 * contract suite {@code StorageContract}.
 */
public interface Storage {
    /** Size and modification time of the object at {@code key}, if there is one. */
    Optional<ObjectInfo> stat(String key);

    /**
     * Whether there is an object at {@code key}, asked to decide what to serve: {@code stat(key).isPresent()}, except
     * that a store in front of another may say yes from what that one said a few seconds before
     * ({@link HotTierStorage#CONFIRM_FOR}). Never for a decision to write or delete: those {@link #stat}.
     */
    default boolean existsForReading(String key) {
        return stat(key).isPresent();
    }

    /** Opens the object for reading, if there is one. */
    Optional<ObjectReader> open(String key);

    /** Reads a small object whole; refuses objects over {@code maxBytes}. */
    Optional<byte[]> read(String key, int maxBytes);

    /** Replaces the object at {@code key} atomically: readers see the old content or the new, never a mix. */
    void write(String key, byte[] content);

    /**
     * A writer whose bytes become the object at {@code key}, replacing any, only on {@link ObjectWriter#commit()};
     * closing it without a commit leaves nothing.
     */
    ObjectWriter create(String key);

    /**
     * A new empty file in this store's local scratch area (on disk, never shared between instances), for bytes that are
     * read locally while they arrive and then {@link #importFile imported}. {@link #recover()} empties the area.
     */
    Path newScratchFile();

    /**
     * Makes the content of {@code file}, a {@link #newScratchFile scratch file}, the object at {@code key}, durably and
     * atomically: readers see no object or the whole of it. The file is gone afterwards, whether it succeeded or not.
     */
    void importFile(String key, Path file);

    /** A URL that lets anyone read the object at {@code key} for {@code ttl}; empty when this store cannot sign one. */
    default Optional<URI> presign(String key, Duration ttl) {
        return Optional.empty();
    }

    /** Deletes one object; false when it was absent. */
    boolean delete(String key);

    /** Deletes every object under {@code prefix}, which is a key: never the empty prefix, the whole store. */
    void deleteAll(String prefix);

    /** The names of the direct children under {@code prefix} (objects and sub-prefixes), all of them, sorted. */
    List<String> list(String prefix);

    /** Removes temporary and scratch files that a crash may have left behind; called once at start. */
    void recover();
}
