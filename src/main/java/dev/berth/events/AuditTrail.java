package dev.berth.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code audit.path}: one JSON line per act. A report only queues the event (bounded: past it the line is lost and
 * counted, never waited for); one thread writes the lines, sums blob GETs per manifest pull ({@link PulledBlobs}) and
 * keeps the latest lines for administrators. A line that cannot be written (a full disk) is lost and counted too: the
 * audit never fails nor slows a pull.
 */
public final class AuditTrail implements Events, AutoCloseable {
    private static final Logger LOG = System.getLogger(AuditTrail.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Lines waiting for the writer. */
    static final int QUEUE = 10_000;
    /** The latest lines kept for {@link #latest}. */
    public static final int KEPT = 1_000;

    private final AuditOutput output;
    private final DeliveryEvents metrics;
    private final Clock clock;
    private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
    private final PulledBlobs blobs = new PulledBlobs();
    private final Deque<Map<String, Object>> kept = new ArrayDeque<>();
    private final Thread writer;
    private volatile boolean closing;
    private boolean failing;

    /** Writes to {@code output} from now on, counting lost lines in {@code metrics}. */
    public AuditTrail(AuditOutput output, DeliveryEvents metrics, Clock clock) {
        this.output = output;
        this.metrics = metrics;
        this.clock = clock;
        this.writer = Thread.ofVirtual().name("audit writer").start(this::writeLoop);
    }

    @Override
    public void report(Event event) {
        if (closing || !queue.offer(event)) {
            metrics.auditLost(1);
        }
    }

    /**
     * The latest lines, newest first, at most {@code max}: those whose action is {@code action} (when given) and
     * whose text contains {@code text} (when given, in any case).
     */
    public List<Map<String, Object>> latest(Optional<String> action, Optional<String> text, int max) {
        Optional<String> lower = text.map(t -> t.toLowerCase(Locale.ROOT));
        List<Map<String, Object>> found = new ArrayList<>();
        synchronized (kept) {
            for (Map<String, Object> line : kept) {
                if (found.size() >= max) {
                    break;
                }
                boolean actionMatches = action.map(a -> a.equals(line.get("action"))).orElse(true);
                boolean textMatches = lower.map(t -> line.values().stream()
                        .anyMatch(v -> String.valueOf(v).toLowerCase(Locale.ROOT).contains(t))).orElse(true);
                if (actionMatches && textMatches) {
                    found.add(line);
                }
            }
        }
        return found;
    }

    private void writeLoop() {
        while (true) {
            Event event;
            try {
                event = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                event = null;
                closing = true;
            }
            if (event != null) {
                handle(event);
            }
            blobs.quiet(clock.instant()).forEach(this::write);
            if (event == null && closing && queue.isEmpty()) {
                blobs.quiet(null).forEach(this::write);
                return;
            }
        }
    }

    private void handle(Event event) {
        if (event.act() == Act.BLOB_PULL) {
            blobs.blob(event).ifPresent(this::write);
            return;
        }
        if (event.act() == Act.PULL && event.done()) {
            blobs.manifest(event).ifPresent(this::write);
        }
        write(event);
    }

    private void write(Event event) {
        Map<String, Object> fields = AuditLine.fields(event);
        synchronized (kept) {
            kept.addFirst(fields);
            if (kept.size() > KEPT) {
                kept.removeLast();
            }
        }
        try {
            byte[] json = MAPPER.writeValueAsBytes(fields);
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = '\n';
            output.write(line);
            if (failing) {
                LOG.log(Level.INFO, "the audit trail is written again");
                failing = false;
            }
        } catch (JsonProcessingException e) {
            metrics.auditLost(1);
        } catch (IOException e) {
            metrics.auditLost(1);
            if (!failing) {
                // Once per streak: a full disk fails every line.
                LOG.log(Level.ERROR, "cannot write the audit trail, lines are lost until it can: " + e.getMessage());
                failing = true;
            }
        }
    }

    /** Writes what is queued and every pull's summary, then closes the output. */
    @Override
    public void close() {
        // Not an interrupt: that would close the file's channel under a line being written.
        closing = true;
        try {
            writer.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            output.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the audit trail: " + e.getMessage());
        }
    }
}
