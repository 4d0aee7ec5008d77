package dev.berth.cluster;

import dev.berth.storage.ConditionalWrites;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs each round on one instance at a time across a shared store: the instance that takes the round's
 * {@link RoundLease} (key {@code cluster/leases/<round>}) runs it, renewing the lease while it runs, and releases it
 * afterwards; the others skip the round until it is due again.
 */
public final class LeaseGate implements RoundGate {
    private static final Logger LOG = System.getLogger(LeaseGate.class.getName());
    /** Long beside a renewal, so a pause of the holder (a GC, a slow store) does not lose the lease. */
    static final Duration TERM = Duration.ofMinutes(5);
    private static final Duration RENEW_EVERY = Duration.ofMinutes(1);

    private final ConditionalWrites store;
    private final String instance;
    private final Clock clock;
    private final Map<String, RoundLease> leases = new ConcurrentHashMap<>();

    /** Leases in {@code store}, held as {@code instance}. */
    public LeaseGate(ConditionalWrites store, String instance, Clock clock) {
        this.store = store;
        this.instance = instance;
        this.clock = clock;
    }

    @Override
    public boolean runIfMine(String name, Runnable round) {
        RoundLease lease = leases.computeIfAbsent(name,
                n -> new RoundLease(store, "cluster/leases/" + n, instance, TERM, clock));
        try {
            if (!lease.acquire()) {
                LOG.log(Logger.Level.DEBUG, "the " + name + " round runs on another instance");
                return false;
            }
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "cannot take the " + name + " lease, skipping this round: " + e.getMessage());
            return false;
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread renewal = Thread.ofVirtual().name("berth-lease-" + name).start(() -> renew(name, lease, done));
        try {
            round.run();
            return true;
        } finally {
            done.countDown();
            try {
                renewal.join();
                lease.release();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // The term runs out by itself.
                LOG.log(Logger.Level.DEBUG, "could not release the " + name + " lease: " + e.getMessage());
            }
        }
    }

    private static void renew(String name, RoundLease lease, CountDownLatch done) {
        try {
            while (!done.await(RENEW_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    if (!lease.acquire()) {
                        LOG.log(Logger.Level.WARNING, "another instance took the " + name + " lease while this one"
                                + " ran the round (a pause longer than " + TERM + "?); the round goes on, its steps"
                                + " are safe to repeat");
                        return;
                    }
                } catch (RuntimeException e) {
                    LOG.log(Logger.Level.WARNING, "cannot renew the " + name + " lease: " + e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
