package dev.berth.jobs;

import dev.berth.cluster.RoundGate;
import dev.berth.config.BerthConfig;
import dev.berth.mirror.MirroredRepository;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code mirror.sync}: keeps the tags each entry names cached ahead of demand. A round lists the upstream's tags,
 * then takes each kept tag through the mirror as a warm job does: a HEAD when the cached tag is past its TTL, and GETs
 * only for a manifest or blob that is not cached. Rounds stop early while the upstream's rate limit runs low, leaving
 * the rest to clients; on a shared store only the instance whose turn it is ({@link RoundGate}) runs one. Entries are
 * due by the clock berth was started with, which the scheduler of its rounds looks at every second.
 */
public final class SyncSchedule implements AutoCloseable {
    private static final Logger LOG = System.getLogger(SyncSchedule.class.getName());
    /** A round leaves this share of the upstream's rate limit to clients, and at least {@link #RESERVE_FLOOR}. */
    private static final double RESERVE_SHARE = 0.2;
    private static final long RESERVE_FLOOR = 10;

    private final List<Entry> entries = new ArrayList<>();
    private final RoundGate gate;
    private final Clock clock;
    private final SyncEvents events;
    private volatile boolean closed;

    /** One configured entry, its repository resolved, and when it is due next. */
    private static final class Entry {
        final BerthConfig.Sync config;
        final MirroredRepository repository;
        Instant due;

        Entry(BerthConfig.Sync config, MirroredRepository repository, Instant due) {
            this.config = config;
            this.repository = repository;
            this.due = due;
        }
    }

    /**
     * A schedule of {@code sync}, whose repositories {@code repositories} resolves now: an entry no upstream serves is
     * an IllegalArgumentException naming it (a configuration to fix). Each entry is first due at once.
     */
    public SyncSchedule(List<BerthConfig.Sync> sync, Function<RepoName, MirroredRepository> repositories,
                        RoundGate gate, Clock clock, SyncEvents events) {
        for (int i = 0; i < sync.size(); i++) {
            BerthConfig.Sync config = sync.get(i);
            try {
                entries.add(new Entry(config, repositories.apply(RepoName.of(config.repository())), clock.instant()));
            } catch (RegistryException | IllegalArgumentException e) {
                String why = e instanceof RegistryException r ? r.detail() : e.getMessage();
                throw new IllegalArgumentException("mirror.sync[" + i + "].repository: " + why);
            }
        }
        this.gate = gate;
        this.clock = clock;
        this.events = events;
    }

    /** Whether there is no entry, so nothing ever to do. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Runs a round of each entry that is due, on the caller's thread; the scheduler calls it every second. */
    public void runDue() {
        for (Entry entry : entries) {
            Instant now = clock.instant();
            if (closed || now.isBefore(entry.due)) {
                continue;
            }
            entry.due = now.plus(entry.config.interval());
            try {
                gate.runIfMine("sync", () -> round(entry));
            } catch (RegistryException e) {
                LOG.log(Logger.Level.WARNING, "sync of " + entry.repository.name() + ": " + e.detail());
            } catch (RuntimeException e) {
                // Caught so that the schedule goes on: the next round tries again.
                LOG.log(Logger.Level.WARNING, "sync of " + entry.repository.name() + " failed", e);
            }
        }
    }

    private void round(Entry entry) {
        MirroredRepository repository = entry.repository;
        List<String> kept = repository.tags().stream().filter(entry.config::keeps).toList();
        int checked = 0;
        int failed = 0;
        for (String tag : kept) {
            if (closed) {
                return;
            }
            if (repository.rateLimitBelow(RESERVE_SHARE, RESERVE_FLOOR)) {
                LOG.log(Logger.Level.INFO, "sync of " + repository.name() + " stops for this round after " + checked
                        + " of " + kept.size() + " tags: " + repository.registry() + "'s rate limit runs low");
                break;
            }
            checked++;
            try {
                new ImageWarmer(repository, entry.config.platforms(), new ImageProgress(tag, repository.name().value()),
                        () -> closed).warm(new Reference.Tag(tag));
            } catch (RegistryException e) {
                failed++;
                LOG.log(Logger.Level.WARNING, "sync of " + repository.name() + ":" + tag + ": " + e.detail());
            } catch (java.io.IOException | java.util.concurrent.CancellationException e) {
                failed++;
                LOG.log(Logger.Level.WARNING, "sync of " + repository.name() + ":" + tag + " stopped: " + e);
            }
        }
        events.synced(repository.name().value(), checked, failed);
    }

    /** Stops the schedule; a round under way stops at its next read. */
    @Override
    public void close() {
        closed = true;
    }
}
