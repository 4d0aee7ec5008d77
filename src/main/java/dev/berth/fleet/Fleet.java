package dev.berth.fleet;

import java.lang.System.Logger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The instances sharing a store that fetch for each other, as this one sees them: the members, which of them are down,
 * and which one is this. A listed member counts from the start, so that instances starting together agree on owners
 * from their first request; one that a probe (every {@link #CHECK_EVERY}, answered within {@link #PROBE_TIMEOUT}) or a
 * request could not reach is left out until it answers a probe again or probes this one. Every instance ranks the
 * members that are not down for a key the same way ({@link Rendezvous}); the first is the key's owner.
 */
final class Fleet implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Fleet.class.getName());
    static final Duration CHECK_EVERY = Duration.ofSeconds(2);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final URI ALONE = URI.create("http://self");

    private final Membership membership;
    private final Optional<URI> configuredSelf;
    private final String host;
    private final PeerClient client;
    private final Set<URI> down = ConcurrentHashMap.newKeySet();
    /** When each member last probed this one (System.nanoTime()). */
    private final Map<URI, Long> heardAt = new ConcurrentHashMap<>();
    private final Map<URI, Boolean> reported = new ConcurrentHashMap<>();
    private volatile URI self;
    private volatile int port;
    private ScheduledExecutorService checks;

    private Fleet(Membership membership, Optional<URI> self, String host, PeerClient client) {
        this.membership = membership;
        this.configuredSelf = self;
        this.self = self.orElse(ALONE);
        this.host = host;
        this.client = client;
    }

    /** A fleet of this instance alone: it owns everything. */
    public static Fleet alone() {
        return new Fleet(Membership.of(List.of()), Optional.empty(), "", null);
    }

    /**
     * The fleet of {@code membership}, probed with {@code client}. This instance is {@code self} when set, else the
     * member whose port is the one it listens on and whose address is {@code host} (or, listening on every address,
     * one of this machine's).
     */
    public static Fleet of(Membership membership, Optional<URI> self, String host, PeerClient client) {
        return new Fleet(membership, self, host, client);
    }

    /**
     * Starts the checks, once this instance listens on {@code listeningPort}. The first runs before this returns:
     * the members known and every one of them told that this one is up (a member that marked it down when it was not
     * listening yet takes it back at once, rather than owning its keys until its own next probe).
     */
    public synchronized void start(int listeningPort) {
        if (client == null || checks != null) {
            return;
        }
        port = listeningPort;
        check();
        checks = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("berth-fleet").factory());
        checks.scheduleWithFixedDelay(this::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The members that are not down ranked for {@code key}, this instance always among them; the first owns it. */
    public List<URI> ranked(String key) {
        List<URI> members = up();
        if (!members.contains(self)) {
            members.add(self);
        }
        return Rendezvous.ranked(key, members);
    }

    /** Whether {@code member} is this instance. */
    public boolean isSelf(URI member) {
        return member.equals(self);
    }

    /** How many members are not down, this one included. */
    public int liveCount() {
        return (int) up().stream().filter(member -> !member.equals(self)).count() + 1;
    }

    /** A request could not reach {@code member}: it is left out until its next probe answers. */
    public void unreachable(URI member) {
        if (!member.equals(self) && down.add(member)) {
            report(member, false);
        }
    }

    /** {@code member} probed this instance (a signed request): it is up, whatever this one last found. */
    void heardFrom(URI member) {
        if (!member.equals(self) && membership.members().contains(member)) {
            heardAt.put(member, System.nanoTime());
            down.remove(member);
            report(member, true);
        }
    }

    private List<URI> up() {
        List<URI> members = new ArrayList<>(membership.members());
        members.removeAll(down);
        return members;
    }

    /** The client for the peers; null for a fleet alone. */
    PeerClient client() {
        return client;
    }

    /** One round: the members looked up again, this instance found among them, every other one probed at once. */
    void check() {
        try {
            membership.refresh();
            List<URI> members = membership.members();
            self = configuredSelf.or(() -> members.stream().filter(this::isThisInstance).findFirst()).orElse(self);
            List<Thread> probes = new ArrayList<>();
            for (URI member : members) {
                if (!member.equals(self)) {
                    probes.add(Thread.ofVirtual().start(() -> probe(member)));
                }
            }
            for (Thread probe : probes) {
                probe.join();
            }
            down.retainAll(members);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "checking the fleet's members failed: " + e.getMessage());
        }
    }

    private void probe(URI member) {
        long started = System.nanoTime();
        boolean up = client.alive(member, PROBE_TIMEOUT, self);
        if (up) {
            down.remove(member);
        } else if (started - heardAt.getOrDefault(member, started - 1) > 0) {
            down.add(member);
        } else {
            // It probed this one after this probe set out (it was starting): its word is the newer.
            return;
        }
        report(member, up);
    }

    private void report(URI member, boolean up) {
        if (!Boolean.valueOf(up).equals(reported.put(member, up))) {
            LOG.log(Logger.Level.INFO, "fleet member " + member + (up ? " answers" : " does not answer")
                    + "; live members: " + liveCount());
        }
    }

    private boolean isThisInstance(URI member) {
        int memberPort = member.getPort() >= 0 ? member.getPort() : "https".equals(member.getScheme()) ? 443 : 80;
        if (memberPort != port) {
            return false;
        }
        try {
            InetAddress address = InetAddress.getByName(member.getHost());
            InetAddress listening = InetAddress.getByName(host);
            return listening.isAnyLocalAddress() ? NetworkInterface.getByInetAddress(address) != null
                    : listening.equals(address);
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (checks != null) {
            checks.shutdownNow();
        }
    }
}
