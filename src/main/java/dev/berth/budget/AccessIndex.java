package dev.berth.budget;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.storage.ObjectWriter;
import dev.berth.storage.Storage;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When each mirrored blob or manifest was last served, which the disk budget evicts by. Kept in memory and saved to
 * one small object ({@code <digest> <epoch millis>} lines) so a restart keeps the order. Instances that share a store
 * each save their own object under {@code access/} and merge the others' before evicting, so the order is the fleet's.
 */
public final class AccessIndex {
    /** The storage key of the saved index. */
    static final String KEY = "access-index";
    /** Where instances sharing a store save theirs, one object each. */
    static final String SHARED = "access";
    /** An instance that saved nothing for this long is gone (or renamed): its records are merged and dropped. */
    static final Duration ABANDONED = Duration.ofDays(7);
    /** About what one entry costs on the heap (282 bytes measured: the digest, its time and the cache's node). */
    private static final long ENTRY_BYTES = 300;
    /** Longer than any line the index writes (a sha512 digest and a time: about 150 characters). */
    private static final int MAX_LINE = 200;

    private final Cache<Digest, Instant> lastAccess;
    private final AtomicBoolean changed = new AtomicBoolean();
    private final Storage storage;
    private final Clock clock;
    private final String key;
    private final int maxEntries;

    private AccessIndex(Storage storage, Clock clock, String key, int maxEntries) {
        this.storage = storage;
        this.clock = clock;
        this.key = key;
        this.maxEntries = maxEntries;
        this.lastAccess = Caffeine.newBuilder().maximumSize(maxEntries).build();
    }

    /**
     * The index saved in {@code storage}, or an empty one; lines that do not parse are skipped. It holds as many
     * entries as a fifth of the heap allows (about 90,000 with the default 128 MiB); a digest it drops counts as used
     * when it was stored, which is only less exact.
     */
    public static AccessIndex load(Storage storage, Clock clock) {
        return load(storage, clock, defaultCapacity());
    }

    static AccessIndex load(Storage storage, Clock clock, int maxEntries) {
        AccessIndex index = new AccessIndex(storage, clock, KEY, maxEntries);
        index.readInto(KEY);
        return index;
    }

    /**
     * The index of {@code instance}, one of several sharing {@code storage}: what every instance saved, merged, and a
     * single berth's index from before it joined.
     */
    public static AccessIndex loadShared(Storage storage, Clock clock, String instance) {
        AccessIndex index = new AccessIndex(storage, clock, SHARED + "/" + instance, defaultCapacity());
        index.readInto(KEY);
        index.mergeOthers();
        return index;
    }

    private static int defaultCapacity() {
        return (int) Math.clamp(Runtime.getRuntime().maxMemory() / 5 / ENTRY_BYTES, 10_000, 1_000_000);
    }

    /**
     * Takes in what the other instances sharing the store saved, keeping the later time of each digest, and drops the
     * saved records of instances that saved nothing for {@link #ABANDONED}. Alone on a store, it does nothing.
     */
    public void mergeOthers() {
        if (key.equals(KEY)) {
            return;
        }
        Instant abandoned = clock.instant().minus(ABANDONED);
        for (String instance : storage.list(SHARED)) {
            String other = SHARED + "/" + instance;
            if (!other.equals(key)) {
                readInto(other);
                storage.stat(other).filter(info -> info.modified().isBefore(abandoned))
                        .ifPresent(info -> storage.delete(other));
            }
        }
    }

    private void readInto(String saved) {
        storage.open(saved).ifPresent(reader -> {
            try (reader; InputStream in = new BufferedInputStream(reader.stream(0))) {
                String line;
                for (int read = 0; read < maxEntries && (line = nextLine(in)) != null; read++) {
                    parse(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The next line, or null at the end; a damaged one longer than any entry is skipped whole, not held in memory. */
    private static String nextLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (line.length() <= MAX_LINE) {
                line.append((char) b);
            }
        }
        if (b == -1 && line.isEmpty()) {
            return null;
        }
        return line.length() > MAX_LINE ? "" : line.toString();
    }

    private void parse(String line) {
        int space = line.indexOf(' ');
        try {
            Instant time = Instant.ofEpochMilli(Long.parseLong(line.substring(space + 1)));
            lastAccess.asMap().merge(Digest.parse(line.substring(0, space)), time,
                    (known, saved) -> known.isAfter(saved) ? known : saved);
        } catch (RegistryException | IndexOutOfBoundsException | NumberFormatException e) {
            // A damaged line costs one blob its place in the order, not the start.
        }
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

    /**
     * Saves the index atomically, replacing the previous copy; does nothing when nothing was used since. A failed save
     * is tried again by the next one.
     */
    public synchronized void save() {
        if (!changed.getAndSet(false)) {
            return;
        }
        lastAccess.cleanUp();
        boolean saved = false;
        try (ObjectWriter writer = storage.create(key)) {
            Writer text = new BufferedWriter(new OutputStreamWriter(writer, StandardCharsets.UTF_8));
            for (Map.Entry<Digest, Instant> entry : lastAccess.asMap().entrySet()) {
                text.write(entry.getKey() + " " + entry.getValue().toEpochMilli() + "\n");
            }
            text.flush();
            writer.commit();
            saved = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!saved) {
                changed.set(true);
            }
        }
    }
}
