package dev.berth.http;

import dev.berth.config.AddressRange;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code auth.trusted-proxies}: the peers that may speak for the client. Only from them does berth take the client's
 * address from {@code X-Forwarded-For} (the right-most entry that is not itself a trusted proxy) and its scheme from
 * {@code X-Forwarded-Proto}; from anyone else those headers are what any client can write, and are ignored. Runs first
 * on every request, so that the limits, the access log, logins and the admin API's own-host rule see the real client.
 */
public final class TrustedProxies implements Filter {
    /** Trusts nobody: the client is the connection's peer. */
    static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<AddressRange> proxies;

    public TrustedProxies(List<AddressRange> proxies) {
        this.proxies = List.copyOf(proxies);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        RequestClient.set(req, resolve(req));
        chain.proceed();
    }

    /** The client behind {@code req}. */
    RequestClient resolve(ServerRequest req) {
        boolean proxied = req.headers().contains(HeaderNames.X_FORWARDED_FOR)
                || req.headers().contains(HeaderNames.FORWARDED)
                || req.headers().contains(HeaderNames.create("X-Real-IP"));
        if (req.remotePeer().address() instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return resolve(inet.getAddress(), req.isSecure(), proxied,
                    req.headers().all(HeaderNames.X_FORWARDED_FOR, List::of),
                    req.headers().first(HeaderNames.X_FORWARDED_PROTO));
        }
        return new RequestClient(req.remotePeer().host(), proxied, req.isSecure());
    }

    /**
     * The client of a connection from {@code peer}: {@code secure} when it speaks TLS, {@code proxied} when any
     * forwarding header came with it, {@code forwardedFor} the values of {@code X-Forwarded-For} (a list of addresses
     * each proxy appended to), {@code proto} {@code X-Forwarded-Proto}'s.
     */
    RequestClient resolve(InetAddress peer, boolean secure, boolean proxied, List<String> forwardedFor,
                          Optional<String> proto) {
        if (!trusted(peer)) {
            return new RequestClient(peer.getHostAddress(), proxied, secure);
        }
        boolean https = secure || proto.map(p -> p.split(",", -1)[0].strip().equalsIgnoreCase("https")).orElse(false);
        List<String> hops = new ArrayList<>();
        forwardedFor.forEach(value -> hops.addAll(List.of(value.split(","))));
        // Right to left: each entry is what the hop after it saw; the first that no trusted proxy holds is the client.
        // An entry that is no address ends the walk at the last one that was, a trusted proxy's.
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = address(hops.get(i).strip());
            if (hop.isEmpty()) {
                break;
            }
            client = hop.get();
            if (!trusted(client)) {
                break;
            }
        }
        return new RequestClient(client.getHostAddress(), proxied, https);
    }

    private boolean trusted(InetAddress address) {
        return proxies.stream().anyMatch(range -> range.contains(address));
    }

    /** An entry of {@code X-Forwarded-For}: {@code 192.0.2.7}, {@code 192.0.2.7:4711}, {@code 2001:db8::7}, ... */
    private static Optional<InetAddress> address(String entry) {
        if (entry.startsWith("[")) {
            int end = entry.indexOf(']');
            boolean port = end > 0 && entry.substring(end + 1).matches("(:\\d{1,5})?");
            return port ? AddressRange.literal(entry.substring(1, end)) : Optional.empty();
        }
        int colon = entry.indexOf(':');
        boolean v4WithPort = colon > 0 && colon == entry.lastIndexOf(':');
        return AddressRange.literal(v4WithPort ? entry.substring(0, colon) : entry);
    }
}
