package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local hot tier in front of a shared store: blobs' bytes read from it or imported into it are kept in a local
 * directory too, least recently used first out, at most {@code maxBytes} in all, and later reads of them come from
 * local disk. Only content-addressed blob keys ({@code blobs/<alg>/<xx>/<hex>/data}) are kept, and an entry becomes
 * visible only once its bytes hash to the key's digest. Before an entry is served the store is asked (a HEAD) whether
 * the object still exists, at most once per {@code confirmFor}: a blob deleted elsewhere stops being served by then.
 * A repository's layer link, asked {@link #existsForReading} before each read of a blob through it, is trusted as
 * long once the store had it, so that a warm read makes no request to the store between two HEADs. Everything else
 * passes through to the store.
 */
public final class HotTierStorage extends ForwardingStorage {
    /** How long a HEAD that found the object is trusted: the longest a blob deleted elsewhere is still served. */
    public static final Duration CONFIRM_FOR = Duration.ofSeconds(5);

    private static final Pattern BLOB_KEY =
            Pattern.compile("blobs/(sha256|sha512)/[0-9a-f]{2}/([0-9a-f]{64}|[0-9a-f]{128})/data");
    /** A blob's location record: the key of the object an upload assembled, where a pushed blob's bytes are. */
    private static final Pattern LOCATION_KEY =
            Pattern.compile("blobs/(sha256|sha512)/[0-9a-f]{2}/([0-9a-f]{64}|[0-9a-f]{128})/location");
    /** How many objects named by location records the tier remembers the blob of. */
    private static final int LOCATED = 10_000;
    /** A repository's layer link: a blob may be read through that repository. */
    private static final Pattern LINK_KEY =
            Pattern.compile("repositories/.+/_layers/(sha256|sha512)/([0-9a-f]{64}|[0-9a-f]{128})/link");
    /** How many links the tier remembers the store to have had. */
    private static final int LINKS = 10_000;
    private static final Pattern ENTRY_NAME = Pattern.compile("(sha256|sha512)-([0-9a-f]{64}|[0-9a-f]{128})");

    private final Path directory;
    private final ScratchDirectory temporary;
    private final long maxBytes;
    private final Duration confirmFor;
    private final Clock clock;
    /** Entries by file name, least recently used first. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    /** Entry names by the key of the object a location record named, most recently read last. */
    private final LinkedHashMap<String, String> located = new LinkedHashMap<>(16, 0.75f, true);
    /** When the store last had each link, least recently read first. */
    private final LinkedHashMap<String, Instant> links = new LinkedHashMap<>(16, 0.75f, true);
    /** Counts the links changed through this tier: a HEAD that a change overtook is not remembered. */
    private long linkChanges;
    /** Blobs being filled, and their bytes in all. */
    private final Set<String> filling = new HashSet<>();
    private long reserved;
    private long bytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * What the tier knows of one file: its size, the store's key it came from (null: the blob's own key), whether it
     * was hashed since start, when the store last had it.
     */
    private static final class Entry {
        final long size;
        final String storeKey;
        volatile boolean verified;
        volatile Instant confirmed;
        /** The check under way (a HEAD, a hash) that readers arriving meanwhile wait for; guarded by the entry. */
        CompletableFuture<Boolean> check;

        Entry(long size, String storeKey, boolean verified, Instant confirmed) {
            this.size = size;
            this.storeKey = storeKey;
            this.verified = verified;
            this.confirmed = confirmed;
        }
    }

    /**
     * A tier over {@code store} in {@code directory} (created if absent), holding at most {@code maxBytes}; what a
     * previous run left there is kept, trimmed to the bound, and hashed again before it is first served.
     */
    public HotTierStorage(Storage store, Path directory, long maxBytes, Duration confirmFor, Clock clock) {
        super(store);
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a hot tier needs a positive size");
        }
        this.directory = directory.toAbsolutePath().normalize();
        this.temporary = new ScratchDirectory(this.directory.resolve("tmp"));
        this.maxBytes = maxBytes;
        this.confirmFor = confirmFor;
        this.clock = clock;
        temporary.empty();
        load();
    }

    /** The entries on disk, oldest use first (files' modification times), trimmed to the bound. */
    private void load() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(directory)) {
            for (Path file : found) {
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
            files.sort(Comparator.comparing(HotTierStorage::modified));
            for (Path file : files) {
                if (ENTRY_NAME.matcher(file.getFileName().toString()).matches()) {
                    add(file.getFileName().toString(), new Entry(Files.size(file), null, false, Instant.MIN));
                } else {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hot tier " + directory, e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * Whether a fill of {@code name} may start: none runs for it, and the fills under way stay within the tier's size,
     * so that they take at most that much disk beside the entries.
     */
    private synchronized boolean reserve(String name, long size) {
        if (reserved + size > maxBytes || !filling.add(name)) {
            return false;
        }
        reserved += size;
        return true;
    }

    /** Bytes held in the tier now. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Blob reads served from the tier since start. */
    public long hits() {
        return hits.sum();
    }

    /** Blob reads that went to the store since start (a GET of the bucket each), the tier lacking the blob. */
    public long misses() {
        return misses.sum();
    }

    /**
     * Reads through; a blob's location record is also remembered, so that the object it names (a pushed blob's bytes,
     * where an upload assembled them) is kept as that blob's entry.
     */
    @Override
    public Optional<byte[]> read(String key, int maxBytes) {
        Optional<byte[]> content = store.read(key, maxBytes);
        Matcher location = LOCATION_KEY.matcher(key);
        if (content.isPresent() && location.matches()) {
            String named = new String(content.get(), StandardCharsets.UTF_8).strip();
            synchronized (this) {
                located.put(named, location.group(1) + "-" + location.group(2));
                if (located.size() > LOCATED) {
                    located.remove(located.keySet().iterator().next());
                }
            }
        }
        return content;
    }

    @Override
    public boolean existsForReading(String key) {
        if (!LINK_KEY.matcher(key).matches()) {
            return store.existsForReading(key);
        }
        Instant now = clock.instant();
        long changes;
        synchronized (this) {
            Instant had = links.get(key);
            if (had != null && stillTrusted(had, now)) {
                return true;
            }
            changes = linkChanges;
        }
        boolean exists = store.stat(key).isPresent();
        synchronized (this) {
            if (!exists) {
                links.remove(key);
            } else if (changes == linkChanges) {
                links.put(key, now);
                if (links.size() > LINKS) {
                    links.remove(links.keySet().iterator().next());
                }
            }
        }
        return exists;
    }

    /**
     * Whether what the store said at {@code said} is trusted at {@code now}: within {@code confirmFor}. A time in the
     * clock's future (it stepped back) counts as old, so that no step of the clock stretches the bound.
     */
    private boolean stillTrusted(Instant said, Instant now) {
        return !said.isBefore(now.minus(confirmFor)) && !said.isAfter(now);
    }

    /**
     * After a delete of {@code key} through this tier: a link is asked afresh. A write needs nothing, as only a link's
     * presence is remembered.
     */
    private synchronized void changed(String key) {
        if (LINK_KEY.matcher(key).matches()) {
            links.remove(key);
            linkChanges++;
        }
    }

    /** After a delete of everything under {@code prefix} through this tier (rare): its links are asked afresh. */
    private synchronized void changedAll(String prefix) {
        if (!(prefix + "/").startsWith("repositories/")) {
            // Blobs' and uploads' directories hold no link: nothing remembered is touched.
            return;
        }
        links.keySet().removeIf(link -> link.startsWith(prefix + "/"));
        linkChanges++;
    }

    @Override
    public Optional<ObjectReader> open(String key) {
        Optional<String> name = nameOf(key);
        if (name.isEmpty()) {
            return store.open(key);
        }
        Optional<ObjectReader> local = local(key, name.get());
        if (local.isPresent()) {
            hits.increment();
            return local;
        }
        Optional<ObjectReader> stored = store.open(key);
        if (stored.isPresent()) {
            misses.increment();
        }
        String entry = name.get();
        return stored.map(reader -> new FillingReader(reader, entry, key));
    }

    /** The entry's file open, when it is there, whole, and the store still has the object. */
    private Optional<ObjectReader> local(String key, String name) {
        Entry entry;
        synchronized (this) {
            entry = entries.get(name);
        }
        if (entry == null) {
            return Optional.empty();
        }
        if (!checked(key, name, entry)) {
            return Optional.empty();
        }
        try {
            FileChannel channel = FileChannel.open(directory.resolve(name), StandardOpenOption.READ);
            if (channel.size() != entry.size) {
                channel.close();
                drop(name);
                return Optional.empty();
            }
            return Optional.of(new PositionalFileReader(channel));
        } catch (IOException e) {
            drop(name);
            return Optional.empty();
        }
    }

    /**
     * Whether the entry may be served: the store still has the object (asked once its last answer is no longer
     * trusted) and the file was hashed since start. One reader asks and hashes; those arriving meanwhile wait for its
     * answer (or its exception), so that a crowd reading a blob after a restart, or as its HEAD expires, costs one
     * HEAD and one hash.
     */
    private boolean checked(String key, String name, Entry entry) {
        while (true) {
            Instant now = clock.instant();
            if (entry.verified && stillTrusted(entry.confirmed, now)) {
                return true;
            }
            CompletableFuture<Boolean> mine = new CompletableFuture<>();
            CompletableFuture<Boolean> running;
            synchronized (entry) {
                running = entry.check;
                if (running == null) {
                    entry.check = mine;
                }
            }
            if (running == null) {
                return checkFor(mine, key, name, entry, now);
            }
            try {
                if (!running.join()) {
                    return false;
                }
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            // Its answer may rest on a HEAD older than the bound by now (a long hash after a start): look again.
        }
    }

    /** Checks the entry for the readers waiting on {@code mine}, and tells them. */
    private boolean checkFor(CompletableFuture<Boolean> mine, String key, String name, Entry entry, Instant now) {
        boolean servable = false;
        Throwable failure = null;
        try {
            servable = check(key, name, entry, now);
            return servable;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            synchronized (entry) {
                entry.check = null;
            }
            if (failure == null) {
                mine.complete(servable);
            } else {
                mine.completeExceptionally(failure);
            }
        }
    }

    private boolean check(String key, String name, Entry entry, Instant now) {
        boolean confirming = !stillTrusted(entry.confirmed, now);
        if (confirming) {
            // Where the bytes are in the store: a pushed blob's are where its upload assembled them.
            Optional<ObjectInfo> info = store.stat(entry.storeKey == null ? key : entry.storeKey);
            if (info.isEmpty() || info.get().size() != entry.size) {
                drop(name);
                return false;
            }
            entry.confirmed = now;
        }
        Path file = directory.resolve(name);
        if (!entry.verified) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                if (channel.size() != entry.size || !TierDigest.matches(channel, name)) {
                    drop(name);
                    return false;
                }
            } catch (IOException e) {
                drop(name);
                return false;
            }
            entry.verified = true;
        }
        if (confirming) {
            // The order of eviction after a restart needs no finer grain than the HEADs', and a hit no system call
            // of its own beyond opening the file.
            touch(file, now);
        }
        return true;
    }

    @Override
    public void importFile(String key, Path file) {
        Optional<String> name = entryName(key);
        if (name.isEmpty() || !fits(file)) {
            store.importFile(key, file);
            return;
        }
        drop(name.get());
        Path copy = linkOrCopy(file);
        try {
            store.importFile(key, file);
            if (copy != null) {
                adopt(name.get(), copy, key);
            }
        } finally {
            deleteQuietly(copy);
        }
    }

    private boolean fits(Path file) {
        try {
            return Files.size(file) <= maxBytes;
        } catch (IOException e) {
            return false;
        }
    }

    /** A temporary file with the content of {@code file} (a link to it where the file system allows); null if not. */
    private Path linkOrCopy(Path file) {
        Path copy = temporary.newPath();
        try {
            Files.createLink(copy, file);
            return copy;
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.copy(file, copy);
                return copy;
            } catch (IOException notCopied) {
                deleteQuietly(copy);
                return null;
            }
        }
    }

    /** Hashes a temporary file and moves it into place as the entry when it matches the name's digest. */
    private void adopt(String name, Path copy, String storeKey) {
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.READ)) {
            if (!TierDigest.matches(channel, name)) {
                return;
            }
            place(name, copy, channel.size(), storeKey);
        } catch (IOException e) {
            // The tier is only a copy: the store has the blob.
        }
    }

    /** Renames a verified temporary file into place and evicts the least recently used entries over the bound. */
    private void place(String name, Path verified, long size, String storeKey) throws IOException {
        Path file = directory.resolve(name);
        Files.move(verified, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Instant now = clock.instant();
        touch(file, now);
        synchronized (this) {
            Entry old = entries.remove(name);
            if (old != null) {
                bytes -= old.size;
            }
            add(name, new Entry(size, entryName(storeKey).isPresent() ? null : storeKey, true, now));
        }
    }

    /** Records a use in the file's modification time: the order of eviction after a restart. */
    private static void touch(Path file, Instant now) {
        try {
            Files.setLastModifiedTime(file, FileTime.from(now));
        } catch (IOException ignored) {
            // Only the order of eviction after a restart is lost.
        }
    }

    private synchronized void add(String name, Entry entry) {
        entries.put(name, entry);
        bytes += entry.size;
        Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            Map.Entry<String, Entry> evicted = oldest.next();
            oldest.remove();
            bytes -= evicted.getValue().size;
            deleteQuietly(directory.resolve(evicted.getKey()));
        }
    }

    /** Forgets the entry and deletes its file; readers holding it open read on. */
    private void drop(String name) {
        synchronized (this) {
            Entry entry = entries.remove(name);
            if (entry != null) {
                bytes -= entry.size;
            }
        }
        deleteQuietly(directory.resolve(name));
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover temporary file goes at the next start; a leftover entry is hashed before it is served.
        }
    }

    /** The entry's file name for a blob key or an object a location record named; empty for other keys. */
    private synchronized Optional<String> nameOf(String key) {
        return entryName(key).or(() -> Optional.ofNullable(located.get(key)));
    }

    /** The entry's file name for a blob key, {@code <alg>-<hex>}; empty for keys the tier does not keep. */
    private static Optional<String> entryName(String key) {
        Matcher m = BLOB_KEY.matcher(key);
        return m.matches() ? Optional.of(m.group(1) + "-" + m.group(2)) : Optional.empty();
    }

    @Override
    public void write(String key, byte[] content) {
        nameOf(key).ifPresent(this::drop);
        store.write(key, content);
    }

    @Override
    public ObjectWriter create(String key) {
        nameOf(key).ifPresent(this::drop);
        return store.create(key);
    }

    @Override
    public boolean delete(String key) {
        nameOf(key).ifPresent(this::drop);
        // After the store's delete: a HEAD that began before it and ends after the change is not remembered.
        boolean deleted = store.delete(key);
        changed(key);
        return deleted;
    }

    @Override
    public void deleteAll(String prefix) {
        entryName(prefix + "/data").ifPresent(this::drop);
        store.deleteAll(prefix);
        changedAll(prefix);
    }

    /**
     * An object of the store being read: a whole read from the start also writes its bytes to a temporary file and
     * hashes them, and the file becomes the entry once the last byte matched. One fill per blob at a time.
     */
    private final class FillingReader implements ObjectReader, TierFill.Ending {
        private final ObjectReader reader;
        private final String name;
        private final String key;

        FillingReader(ObjectReader reader, String name, String key) {
            this.reader = reader;
            this.name = name;
            this.key = key;
        }

        @Override
        public long size() {
            return reader.size();
        }

        @Override
        public InputStream stream(long offset) throws IOException {
            InputStream in = reader.stream(offset);
            if (offset != 0 || !reserve(name, reader.size())) {
                return in;
            }
            Path file = temporary.newPath();
            try {
                return new TierFill(in, FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), file, TierDigest.of(name), reader.size(), this);
            } catch (IOException e) {
                ended();
                return in;
            }
        }

        @Override
        public void verified(Path file, long size) throws IOException {
            place(name, file, size, key);
        }

        @Override
        public void ended() {
            synchronized (HotTierStorage.this) {
                filling.remove(name);
                reserved -= reader.size();
            }
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
