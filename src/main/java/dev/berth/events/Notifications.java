package dev.berth.events;

import dev.berth.config.BerthConfig;
import dev.berth.storage.FileQueue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code notifications.endpoints}: the registry's acts POSTed to each endpoint in distribution's envelope. A report
 * only puts the event in memory; one thread writes it to the queue on disk of each endpoint that wants it, and each
 * endpoint's own thread delivers from there ({@link EndpointDelivery}), so no endpoint can slow a pull or a push.
 * Each instance of a fleet sends the events it saw, from its own data directory.
 */
public final class Notifications implements Events, AutoCloseable {
    private static final Logger LOG = System.getLogger(Notifications.class.getName());
    /** Events reported but not yet on disk; past it a burst loses events (counted) rather than holding requests. */
    private static final int IN_MEMORY = 10_000;

    private final List<EndpointDelivery> endpoints;
    private final Envelope.Source source;
    private final DeliveryEvents metrics;
    private final BlockingQueue<Event> reported = new ArrayBlockingQueue<>(IN_MEMORY);
    private final Thread spool;
    private volatile boolean closing;

    private Notifications(List<EndpointDelivery> endpoints, Envelope.Source source, DeliveryEvents metrics) {
        this.endpoints = endpoints;
        this.source = source;
        this.metrics = metrics;
        this.spool = Thread.ofVirtual().name("notifications spool").unstarted(this::spoolLoop);
    }

    /**
     * Starts delivery to {@code endpoints}, each queued in its own directory under {@code queues} (named by its URL,
     * so a queue follows its endpoint across restarts), as the instance {@code source}.
     */
    public static Notifications start(List<BerthConfig.Endpoint> endpoints, Path queues, Envelope.Source source,
                                      DeliveryEvents metrics) {
        List<EndpointDelivery> deliveries = new ArrayList<>();
        for (BerthConfig.Endpoint endpoint : endpoints) {
            FileQueue queue = new FileQueue(queues.resolve(directoryName(endpoint)), endpoint.queueLimit());
            deliveries.add(new EndpointDelivery(endpoint, queue, metrics));
        }
        Notifications notifications = new Notifications(List.copyOf(deliveries), source, metrics);
        deliveries.forEach(EndpointDelivery::start);
        notifications.spool.start();
        return notifications;
    }

    @Override
    public void report(Event event) {
        if (!event.done() || endpoints.stream().noneMatch(e -> e.wants(event.act()))) {
            return;
        }
        if (closing || !reported.offer(event)) {
            endpoints.stream().filter(e -> e.wants(event.act())).forEach(e -> metrics.dropped(e.name(), 1));
        }
    }

    private void spoolLoop() {
        while (true) {
            Event event;
            try {
                event = reported.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (event == null) {
                if (closing) {
                    return;
                }
                continue;
            }
            try {
                byte[] json = Envelope.event(event, source);
                endpoints.stream().filter(e -> e.wants(event.act())).forEach(e -> e.enqueue(json));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "cannot queue a notification: " + e);
            }
        }
    }

    /** A directory name for {@code endpoint}'s queue: a hash of its URL, which may hold characters paths cannot. */
    private static String directoryName(BerthConfig.Endpoint endpoint) {
        byte[] url = endpoint.url().toString().getBytes(StandardCharsets.UTF_8);
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(url);
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes what is reported to disk, then stops the senders: what is unsent goes at the next start. */
    @Override
    public void close() {
        closing = true;
        try {
            spool.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endpoints.forEach(EndpointDelivery::close);
    }
}
