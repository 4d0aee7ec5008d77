package dev.berth.fleet;

import java.lang.System.Logger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The members a DNS name has ({@code cluster.peers-dns}): each A or AAAA record is an instance, reached with the URL's
 * scheme and port (swarm's {@code tasks.<service>}, a Kubernetes headless Service). Resolved again on each
 * {@link #refresh}; when the name cannot be resolved, the last members stay.
 */
final class DnsMembership implements Membership {
    private static final Logger LOG = System.getLogger(DnsMembership.class.getName());

    /** Resolves a host name to all its addresses. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    private final URI url;
    private final Resolver resolver;
    private volatile List<URI> members = List.of();
    private volatile boolean failing;

    /** The members behind {@code url}'s host, found with {@code resolver}. */
    public DnsMembership(URI url, Resolver resolver) {
        this.url = url;
        this.resolver = resolver;
    }

    /** The members behind {@code url}'s host, found with the system's resolver. */
    public static DnsMembership system(URI url) {
        return new DnsMembership(url, host -> List.of(InetAddress.getAllByName(host)));
    }

    @Override
    public List<URI> members() {
        return members;
    }

    @Override
    public void refresh() {
        try {
            members = resolver.resolve(url.getHost()).stream().map(this::memberAt).distinct().sorted().toList();
            if (failing) {
                failing = false;
                LOG.log(Logger.Level.INFO, "cluster.peers-dns: " + url.getHost() + " resolves again: " + members);
            }
        } catch (UnknownHostException e) {
            if (!failing) {
                failing = true;
                LOG.log(Logger.Level.WARNING, "cluster.peers-dns: " + url.getHost() + " does not resolve ("
                        + e.getMessage() + "); keeping the members known: " + members);
            }
        }
    }

    private URI memberAt(InetAddress address) {
        try {
            return new URI(url.getScheme(), null, address.getHostAddress(), url.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("an address makes no URL: " + address, e);
        }
    }
}
