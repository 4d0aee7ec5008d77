package dev.berth.cluster;

import java.lang.System.Logger;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A background round (garbage collection, the disk budget) that runs on one instance at a time: each time it is due,
 * the instance that takes the round's lease runs it, renewing the lease while it runs; the others skip it.
 */
public final class ExclusiveRound implements Runnable {
    private static final Logger LOG = System.getLogger(ExclusiveRound.class.getName());

    private final String name;
    private final RoundLease lease;
    private final Duration renewEvery;
    private final Runnable round;

    /** Runs {@code round} under {@code lease}, renewed every {@code renewEvery} (well within the lease's term). */
    public ExclusiveRound(String name, RoundLease lease, Duration renewEvery, Runnable round) {
        this.name = name;
        this.lease = lease;
        this.renewEvery = renewEvery;
        this.round = round;
    }

    @Override
    public void run() {
        boolean mine;
        try {
            mine = lease.acquire();
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "cannot take the " + name + " lease, skipping this round: " + e.getMessage());
            return;
        }
        if (!mine) {
            LOG.log(Logger.Level.DEBUG, "the " + name + " round runs on another instance");
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread renewal = Thread.ofVirtual().name("berth-lease-" + name).start(() -> renew(done));
        try {
            round.run();
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

    private void renew(CountDownLatch done) {
        try {
            while (!done.await(renewEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    if (!lease.acquire()) {
                        LOG.log(Logger.Level.WARNING, "the " + name + " lease was taken by another instance while this"
                                + " one ran the round (a pause longer than its term?); the round goes on, as its steps"
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
