package dev.berth.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When each mirrored blob was last served, which the disk budget evicts by. Kept in memory and saved to one small
 * object ({@code <digest> <epoch millis>} lines) so a restart keeps the order.
 */
public final class AccessIndex {
    /** The storage key of the saved index. */
    static final String KEY = "access-index";
    /** Bounds memory; a digest dropped from the index counts as used when it was stored, which is only less exact. */
    private static final int MAX_ENTRIES = 1_000_000;
    private static final int MAX_FILE_BYTES = MAX_ENTRIES * 96;

    private final Cache<Digest, Instant> lastAccess = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
    private final AtomicBoolean changed = new AtomicBoolean();
    private final Storage storage;
    private final Clock clock;

    private AccessIndex(Storage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /** The index saved in {@code storage}, or an empty one; lines that do not parse are skipped. */
    public static AccessIndex load(Storage storage, Clock clock) {
        AccessIndex index = new AccessIndex(storage, clock);
        storage.read(KEY, MAX_FILE_BYTES).ifPresent(bytes -> {
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                int space = line.indexOf(' ');
                try {
                    index.lastAccess.put(Digest.parse(line.substring(0, space)),
                            Instant.ofEpochMilli(Long.parseLong(line.substring(space + 1))));
                } catch (RegistryException | IndexOutOfBoundsException | NumberFormatException e) {
                    // A damaged line costs one blob its place in the order, not the start.
                }
            }
        });
        return index;
    }

    /** Records that {@code digest} is being used now. */
    public void touch(Digest digest) {
        lastAccess.put(digest, clock.instant());
        changed.set(true);
    }

    /** When {@code digest} was last used, if the index knows. */
    public Optional<Instant> lastAccess(Digest digest) {
        return Optional.ofNullable(lastAccess.getIfPresent(digest));
    }

    /** Saves the index atomically, replacing the previous copy; does nothing when nothing was used since. */
    public void save() {
        if (!changed.getAndSet(false)) {
            return;
        }
        StringBuilder text = new StringBuilder();
        lastAccess.asMap().forEach((digest, at) -> text.append(digest).append(' ').append(at.toEpochMilli())
                .append('\n'));
        storage.write(KEY, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
