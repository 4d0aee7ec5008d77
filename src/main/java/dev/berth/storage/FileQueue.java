package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A first-in first-out queue of small records in a local directory, one file each, numbered in order: it outlives
 * the process, holds at most {@code limit} records (an append past it drops the oldest) and has one consumer, which
 * reads a batch from the head and removes it once handled. A record appears whole (written aside, then renamed).
 */
public final class FileQueue {
    private static final Pattern RECORD = Pattern.compile("[0-9]{19}");
    private static final String PARTIAL = ".partial";

    /** A record and its place in the queue. */
    public record Entry(long sequence, byte[] bytes) {
    }

    private final Path directory;
    private final int limit;
    private final Deque<Long> sequences = new ArrayDeque<>();
    private long next;

    /** The queue in {@code directory} (created if absent), with what an earlier run left in it; partial writes go. */
    public FileQueue(Path directory, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a queue holds at least one record");
        }
        this.directory = directory.toAbsolutePath().normalize();
        this.limit = limit;
        TreeSet<Long> found = new TreeSet<>();
        try {
            Files.createDirectories(this.directory);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.directory)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (RECORD.matcher(name).matches()) {
                        found.add(Long.parseLong(name));
                    } else if (name.endsWith(PARTIAL)) {
                        Files.deleteIfExists(entry);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the queue directory " + this.directory, e);
        }
        sequences.addAll(found);
        next = found.isEmpty() ? 1 : found.last() + 1;
    }

    /**
     * Appends {@code record} at the tail and wakes the consumer; returns how many of the oldest records it dropped to
     * stay within the limit.
     *
     * @throws UncheckedIOException when the record cannot be written (nothing is then queued)
     */
    public synchronized int append(byte[] record) {
        long sequence = next;
        Path partial = directory.resolve(name(sequence) + PARTIAL);
        try {
            Files.write(partial, record);
            Files.move(partial, file(sequence), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the next start removes it
            }
            throw new UncheckedIOException("cannot queue a record in " + directory, e);
        }
        next++;
        sequences.addLast(sequence);
        int dropped = 0;
        while (sequences.size() > limit) {
            delete(sequences.removeFirst());
            dropped++;
        }
        notifyAll();
        return dropped;
    }

    /**
     * Up to {@code max} records from the head, oldest first, waiting up to {@code wait} for one when the queue is
     * empty. A record that cannot be read comes as empty bytes, for the consumer to skip.
     */
    public List<Entry> head(int max, Duration wait) throws InterruptedException {
        List<Long> batch;
        synchronized (this) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (sequences.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                wait(Math.max(1, left / 1_000_000));
            }
            batch = sequences.stream().limit(max).toList();
        }
        // Read outside the lock: the tail may grow meanwhile, the head is only this consumer's to remove.
        List<Entry> entries = new ArrayList<>(batch.size());
        for (long sequence : batch) {
            try {
                entries.add(new Entry(sequence, Files.readAllBytes(file(sequence))));
            } catch (NoSuchFileException e) {
                // dropped by an append past the limit since
            } catch (IOException e) {
                entries.add(new Entry(sequence, new byte[0]));
            }
        }
        return entries;
    }

    /** Removes every record up to {@code sequence}, inclusive: a batch handled. */
    public synchronized void removeThrough(long sequence) {
        while (!sequences.isEmpty() && sequences.peekFirst() <= sequence) {
            delete(sequences.removeFirst());
        }
    }

    /** How many records are queued. */
    public synchronized int size() {
        return sequences.size();
    }

    private void delete(long sequence) {
        try {
            Files.deleteIfExists(file(sequence));
        } catch (IOException e) {
            // Left behind, it is read again at the next start: delivered twice rather than lost.
        }
    }

    private Path file(long sequence) {
        return directory.resolve(name(sequence));
    }

    private static String name(long sequence) {
        return String.format("%019d", sequence);
    }
}
