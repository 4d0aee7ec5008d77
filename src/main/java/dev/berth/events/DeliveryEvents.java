package dev.berth.events;

import java.util.function.IntSupplier;

/** What notifications and the audit trail report of their own work, for metrics; implementations are thread-safe. */
public interface DeliveryEvents {
    /** {@code events} were delivered to {@code endpoint} (its URL without query or credentials). */
    void sent(String endpoint, int events);

    /** A POST to {@code endpoint} failed (unreachable, timed out, not 2xx): its batch is retried. */
    void failed(String endpoint);

    /** {@code events} for {@code endpoint} were dropped unsent: its queue was full, or could not be written. */
    void dropped(String endpoint, int events);

    /** {@code queued} says, when read, how many events wait for {@code endpoint}. */
    void watchQueue(String endpoint, IntSupplier queued);

    /** {@code lines} of the audit trail were lost: its queue was full or they could not be written. */
    void auditLost(int lines);
}
