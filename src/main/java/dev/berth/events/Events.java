package dev.berth.events;

import java.util.List;

/**
 * The one way to report an act: the HTTP layer reports the registry API's, and any part of berth that acts by itself
 * (retention removing a tag, a policy refusing a manifest, a token issued) reports its own here. Implementations
 * return at once, never block on I/O and never throw.
 */
public interface Events {
    /** Reports nothing, where neither notifications nor the audit trail are configured. */
    Events NONE = event -> { };

    /** Reports {@code event}. */
    void report(Event event);

    /** Every one of {@code sinks}, in order. */
    static Events all(List<? extends Events> sinks) {
        List<Events> copy = List.copyOf(sinks);
        return copy.isEmpty() ? NONE : event -> copy.forEach(sink -> sink.report(event));
    }
}
