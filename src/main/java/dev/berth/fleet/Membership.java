package dev.berth.fleet;

import java.net.URI;
import java.util.List;

/** The instances of a fleet, this one included, as configured: a fixed list, or what a DNS name resolves to now. */
interface Membership {
    /** The members known now. */
    List<URI> members();

    /** Looks again where the members come from; a fixed list has nothing to look at. */
    default void refresh() {
    }

    /** The fixed list {@code cluster.peers}. */
    static Membership of(List<URI> peers) {
        List<URI> members = List.copyOf(peers);
        return () -> members;
    }
}
