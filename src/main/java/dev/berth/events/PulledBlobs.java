package dev.berth.events;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Blob GETs summed per manifest pull, for the audit trail: the blobs one client (actor and address) reads from a
 * repository after pulling a manifest there count towards that pull, and become one {@code blob-pull} line (blobs,
 * bytes, the manifest's digest) when the client pulls another manifest there, after {@link #QUIET} without a blob,
 * or at close. Used by the audit's one writer thread only; bounded in the pulls it follows.
 */
final class PulledBlobs {
    /** How long a pull's blobs may pause before its summary is written. */
    static final Duration QUIET = Duration.ofSeconds(10);
    /** Pulls followed at once; past it the oldest is summed up early. */
    private static final int MAX_PULLS = 10_000;

    private final Map<String, Tally> pulls = new LinkedHashMap<>(16, 0.75f, true);

    /** A manifest pull: it ends the client's previous pull of the repository, whose summary it returns if any. */
    Optional<Event> manifest(Event pull) {
        Optional<Event> previous = Optional.ofNullable(pulls.remove(key(pull))).filter(t -> t.blobs > 0)
                .map(Tally::summary);
        pulls.put(key(pull), new Tally(pull, pull.target().digest()));
        return previous;
    }

    /** A blob GET; returns the summary of a pull that had to go to keep the bound. */
    Optional<Event> blob(Event blob) {
        Tally tally = pulls.computeIfAbsent(key(blob), k -> new Tally(blob, Optional.empty()));
        tally.add(blob);
        if (pulls.size() > MAX_PULLS) {
            Iterator<Tally> eldest = pulls.values().iterator();
            Tally gone = eldest.next();
            eldest.remove();
            return Optional.of(gone.summary()).filter(e -> e.target().blobs().orElse(0) > 0);
        }
        return Optional.empty();
    }

    /** The summaries of pulls whose last blob is older than {@link #QUIET} at {@code now} (all, with null). */
    List<Event> quiet(Instant now) {
        List<Event> done = new ArrayList<>();
        for (Iterator<Tally> it = pulls.values().iterator(); it.hasNext(); ) {
            Tally tally = it.next();
            if (now == null || tally.last.plus(QUIET).isBefore(now)) {
                it.remove();
                if (tally.blobs > 0) {
                    done.add(tally.summary());
                }
            }
        }
        return done;
    }

    private static String key(Event event) {
        return event.actor().orElse("") + '\n' + event.origin().address() + '\n' + event.target().repository();
    }

    /** One pull's blobs so far. */
    private static final class Tally {
        private final Event first;
        private final Optional<String> manifest;
        private Instant last;
        private long blobs;
        private long bytes;

        Tally(Event first, Optional<String> manifest) {
            this.first = first;
            this.manifest = manifest;
            this.last = first.time();
        }

        void add(Event blob) {
            blobs++;
            bytes += blob.target().size().orElse(0);
            last = blob.time();
        }

        Event summary() {
            Target t = first.target();
            Target target = new Target(t.repository(), Optional.empty(), manifest, Optional.empty(),
                    OptionalLong.of(bytes), Optional.empty(), OptionalLong.of(blobs));
            return new Event(Event.newId(), last, Act.BLOB_PULL, target, first.origin(), first.actor(), Event.OK);
        }
    }
}
