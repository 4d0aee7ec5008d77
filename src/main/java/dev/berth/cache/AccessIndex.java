package dev.berth.cache;

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
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When each mirrored blob or manifest was last served, which the disk budget evicts by. Kept in memory and saved to
 * one small object ({@code <digest> <epoch millis>} lines) so a restart keeps the order.
 */
public final class AccessIndex {
    /** The storage key of the saved index. */
    static final String KEY = "access-index";
    /** About what one entry costs on the heap (282 bytes measured: the digest, its time and the cache's node). */
    private static final long ENTRY_BYTES = 300;
    /** Longer than any line the index writes (a sha512 digest and a time: about 150 characters). */
    private static final int MAX_LINE = 200;

    private final Cache<Digest, Instant> lastAccess;
    private final AtomicBoolean changed = new AtomicBoolean();
    private final Storage storage;
    private final Clock clock;

    private AccessIndex(Storage storage, Clock clock, int maxEntries) {
        this.storage = storage;
        this.clock = clock;
        this.lastAccess = Caffeine.newBuilder().maximumSize(maxEntries).build();
    }

    /**
     * The index saved in {@code storage}, or an empty one; lines that do not parse are skipped. It holds as many
     * entries as a fifth of the heap allows (about 90,000 with the default 128 MiB); a digest it drops counts as used
     * when it was stored, which is only less exact.
     */
    public static AccessIndex load(Storage storage, Clock clock) {
        return load(storage, clock, (int) Math.clamp(Runtime.getRuntime().maxMemory() / 5 / ENTRY_BYTES, 10_000,
                1_000_000));
    }

    static AccessIndex load(Storage storage, Clock clock, int maxEntries) {
        AccessIndex index = new AccessIndex(storage, clock, maxEntries);
        storage.open(KEY).ifPresent(saved -> {
            try (saved; InputStream in = new BufferedInputStream(saved.stream(0))) {
                String line;
                for (int read = 0; read < maxEntries && (line = nextLine(in)) != null; read++) {
                    index.parse(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return index;
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
            lastAccess.put(Digest.parse(line.substring(0, space)),
                    Instant.ofEpochMilli(Long.parseLong(line.substring(space + 1))));
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
        try (ObjectWriter writer = storage.create(KEY)) {
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
