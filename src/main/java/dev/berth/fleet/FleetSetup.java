package dev.berth.fleet;

import dev.berth.auth.ClusterSecret;
import dev.berth.config.BerthConfig;
import java.lang.System.Logger;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The fleet as the configuration makes it: the instances of {@code cluster.peers} or {@code cluster.peers-dns}, where
 * they share a store and a secret to sign their requests with; else this instance alone. It gives the mirror its
 * {@link Owners} and the assembly the peer endpoint, and checks the members once this instance listens.
 */
public final class FleetSetup implements AutoCloseable {
    private static final Logger LOG = System.getLogger(FleetSetup.class.getName());
    private static final Duration PEER_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Longer than an owner waits for a slow upstream's next bytes is not needed: it fails the stream itself then. */
    private static final Duration PEER_READ_TIMEOUT = Duration.ofSeconds(30);

    private final Fleet fleet;
    private final Optional<PeerSignature> signature;
    private final PeerEvents events;
    private final Owners owners;

    private FleetSetup(Fleet fleet, Optional<PeerSignature> signature, PeerEvents events, int maxManifestBytes) {
        this.fleet = fleet;
        this.signature = signature;
        this.events = events;
        this.owners = new AskingOwners(fleet, events, maxManifestBytes);
    }

    /**
     * The fleet {@code config} describes, signing with {@code secret}'s key at {@code clock}'s time and reporting its
     * traffic to {@code events}; alone unless the instances share a store ({@code sharedStore}) and a secret.
     */
    public static FleetSetup from(BerthConfig config, boolean sharedStore, Optional<ClusterSecret> secret,
                                  Clock clock, PeerEvents events) {
        Optional<PeerSignature> signature = secret.map(key -> new PeerSignature(key, clock));
        return new FleetSetup(fleet(config, sharedStore, signature), signature, events,
                config.limits().maxManifestBytes());
    }

    private static Fleet fleet(BerthConfig config, boolean sharedStore, Optional<PeerSignature> signature) {
        Optional<BerthConfig.Cluster> cluster = config.cluster();
        Optional<Membership> members = cluster.flatMap(c -> c.peersDns().<Membership>map(DnsMembership::system)
                .or(() -> c.peers().size() > 1 ? Optional.of(Membership.of(c.peers())) : Optional.empty()));
        if (members.isEmpty()) {
            return Fleet.alone();
        }
        if (!sharedStore || signature.isEmpty()) {
            LOG.log(Logger.Level.WARNING, "the instances of cluster.peers fetch each from the upstream: fetching for"
                    + " each other needs a store they share (storage.s3) and cluster.secret-file");
            return Fleet.alone();
        }
        PeerClient client = new PeerClient(signature.get(), PEER_CONNECT_TIMEOUT, PEER_READ_TIMEOUT);
        return Fleet.of(members.get(), cluster.get().self(), config.server().host(), client);
    }

    /** Where the mirror gets what it lacks. */
    public Owners owners() {
        return owners;
    }

    /** The peer endpoint, serving {@code content}; it refuses every request without {@code cluster.secret-file}. */
    public PeerApi endpoint(PeerContent content) {
        return new PeerApi(content, signature, events, fleet::heardFrom);
    }

    /** Starts checking the members, once this instance listens on {@code port}; false for an instance alone. */
    public boolean start(int port) {
        if (fleet.client() == null) {
            return false;
        }
        fleet.start(port);
        return true;
    }

    /** How many members answer now, this one included. */
    public int liveCount() {
        return fleet.liveCount();
    }

    @Override
    public void close() {
        fleet.close();
    }
}
