package dev.berth.events;

import dev.berth.config.BerthConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What {@code notifications} and {@code audit} configure, started: the {@link Events} the rest of berth reports to,
 * the audit trail for those who read it, and their close.
 */
public final class EventSetup implements AutoCloseable {
    /** Where the queues of notification endpoints live, in the data directory. */
    static final String QUEUES = ".notifications";

    private final Events events;
    private final Optional<Notifications> notifications;
    private final Optional<AuditTrail> audit;

    private EventSetup(Events events, Optional<Notifications> notifications, Optional<AuditTrail> audit) {
        this.events = events;
        this.notifications = notifications;
        this.audit = audit;
    }

    /**
     * Starts the notifications {@code config} names, queued in its data directory, and the audit trail into
     * {@code auditOutput} (opened beforehand, so that an unwritable path stops berth before anything starts).
     */
    public static EventSetup start(BerthConfig config, Optional<AuditOutput> auditOutput, DeliveryEvents metrics,
                                   Clock clock) {
        List<BerthConfig.Endpoint> endpoints = config.notifications().endpoints();
        Optional<Notifications> notifications = endpoints.isEmpty() ? Optional.empty()
                : Optional.of(Notifications.start(endpoints, config.storage().root().resolve(QUEUES),
                        new Envelope.Source(sourceAddress(config), UUID.randomUUID().toString()),
                        metrics));
        Optional<AuditTrail> audit = auditOutput.map(output -> new AuditTrail(output, metrics, clock));
        List<Events> sinks = new ArrayList<>();
        notifications.ifPresent(sinks::add);
        audit.ifPresent(sinks::add);
        return new EventSetup(Events.all(sinks), notifications, audit);
    }

    /** Where acts are reported. */
    public Events events() {
        return events;
    }

    /** The audit trail, when {@code audit.path} is set. */
    public Optional<AuditTrail> audit() {
        return audit;
    }

    /** How the instance is reached, for receivers to tell a fleet's instances apart: {@code cluster.self}'s. */
    private static String sourceAddress(BerthConfig config) {
        return config.cluster().flatMap(BerthConfig.Cluster::self)
                .map(self -> self.getHost() + (self.getPort() < 0 ? "" : ":" + self.getPort()))
                .orElseGet(() -> hostName() + ":" + config.server().port());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Queues what was reported on disk and writes the audit's last lines. */
    @Override
    public void close() {
        notifications.ifPresent(Notifications::close);
        audit.ifPresent(AuditTrail::close);
    }
}
