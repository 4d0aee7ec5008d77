package dev.berth.cluster;

import dev.berth.storage.ConditionalWrites;
import java.lang.System.Logger;
import java.net.URI;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Chooses how instances sharing a store take turns at background rounds, from what the store can do. */
public final class RoundGates {
    private static final Logger LOG = System.getLogger(RoundGates.class.getName());

    private RoundGates() {
    }

    /**
     * Leases when the store keeps conditional writes. Where it ignores them (s3proxy does), the first
     * of {@code peers} runs every round, or, with no peers configured, every instance does: safe, since each step of a
     * round rechecks what it removes, but the work is done several times.
     */
    public static RoundGate forSharedStore(ConditionalWrites store, String instance, List<URI> peers,
                                           Optional<URI> self, Clock clock) {
        if (store.honoured("cluster/probe-" + instance)) {
            return new LeaseGate(store, instance, clock);
        }
        String ignored = "the store accepts conditional writes but ignores them, so background rounds cannot take a"
                + " lease";
        if (peers.isEmpty()) {
            LOG.log(Logger.Level.WARNING, ignored + "; without cluster.peers every instance runs garbage collection"
                    + " and the disk budget (safe, but done several times)");
            return RoundGate.alone();
        }
        URI designated = peers.stream().min(Comparator.comparing(URI::toString)).orElseThrow();
        boolean mine = self.filter(designated::equals).isPresent();
        LOG.log(Logger.Level.WARNING, ignored + "; they run on " + designated + " (the first of cluster.peers)"
                + (mine ? ", this instance" : self.isEmpty() ? "; set cluster.self on it" : ""));
        return mine ? RoundGate.alone() : RoundGate.never();
    }
}
