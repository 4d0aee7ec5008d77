package dev.berth.mirror;

import dev.berth.fleet.Fleet;
import dev.berth.fleet.PeerClient;
import java.io.IOException;
import java.lang.System.Logger;
import java.net.URI;
import java.util.function.Supplier;

/**
 * Fetches what another member of the fleet owns from that owner, through its peer endpoint, so that the upstream is
 * asked by one instance only: the first live member by rank. What this instance owns, and what no owner could give,
 * it fetches from the upstream itself. An owner that cannot be reached is left out and the next one by rank asked.
 */
public final class Owners {
    private static final Logger LOG = System.getLogger(Owners.class.getName());

    private final Fleet fleet;
    private final PeerEvents events;

    /** Owners among {@code fleet}'s members, with their traffic reported to {@code events}. */
    public Owners(Fleet fleet, PeerEvents events) {
        this.fleet = fleet;
        this.events = events;
    }

    /** A berth alone: it owns everything. */
    static Owners alone() {
        return new Owners(Fleet.alone(), PeerEvents.NONE);
    }

    /** Turns an owner's answer into a value; an IOException when the answer cannot serve. */
    @FunctionalInterface
    interface Reading<T> {
        T read(PeerClient.Answer answer) throws IOException;
    }

    /**
     * The value for {@code key}: read from the owner's answer to {@code path}, or from {@code local} when this
     * instance owns it or the owner's answer cannot serve. A RegistryException from {@code reading} (the owner says
     * the upstream lacks it) is thrown as it is.
     */
    <T> T fetch(String key, String path, MirrorEvents.Kind kind, Reading<T> reading, Supplier<T> local) {
        for (URI member : fleet.ranked(key)) {
            if (fleet.isSelf(member)) {
                return local.get();
            }
            PeerClient.Answer answer;
            try {
                answer = fleet.client().get(member, path);
            } catch (IOException e) {
                LOG.log(Logger.Level.INFO, "fleet member " + member + " cannot be asked for " + key + ": " + e);
                fleet.unreachable(member);
                events.peerFallback(kind);
                continue;
            }
            try {
                T value = reading.read(answer);
                events.fetchedFromPeer(kind);
                return value;
            } catch (IOException e) {
                LOG.log(Logger.Level.INFO, "fleet member " + member + " did not give " + key + " (" + e.getMessage()
                        + "); fetching it here");
                closeQuietly(answer);
                events.peerFallback(kind);
                return local.get();
            } catch (RuntimeException e) {
                closeQuietly(answer);
                throw e;
            }
        }
        return local.get();
    }

    /** Where a relay's broken stream is reported. */
    PeerEvents events() {
        return events;
    }

    private static void closeQuietly(PeerClient.Answer answer) {
        try {
            answer.close();
        } catch (IOException e) {
            // The answer is given up anyway.
        }
    }
}
