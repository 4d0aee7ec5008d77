package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.config.AddressRange;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Who the client is behind {@code auth.trusted-proxies}: only a trusted peer's {@code X-Forwarded-For} and
 * {@code X-Forwarded-Proto} count, the client is the right-most forwarded address that is no trusted proxy, and
 * whatever an untrusted client writes there is ignored.
 */
class TrustedProxiesTest {
    private static final TrustedProxies PROXIES = new TrustedProxies(Stream.of("127.0.0.1", "10.0.0.0/8", "::1",
            "fd00::/8").map(AddressRange::parse).toList());

    private static InetAddress ip(String literal) {
        return AddressRange.literal(literal).orElseThrow();
    }

    private static RequestClient from(String peer, String... forwardedFor) {
        return PROXIES.resolve(ip(peer), false, forwardedFor.length > 0, List.of(forwardedFor), Optional.empty());
    }

    @Test
    void aTrustedProxySpeaksForItsClient() {
        assertEquals(new RequestClient("203.0.113.9", true, false), from("127.0.0.1", "203.0.113.9"));
        assertEquals(new RequestClient("203.0.113.9", true, true), PROXIES.resolve(ip("127.0.0.1"), false, true,
                List.of("203.0.113.9"), Optional.of("https")));
        assertEquals(new RequestClient("203.0.113.9", true, true), PROXIES.resolve(ip("127.0.0.1"), false, true,
                List.of("203.0.113.9"), Optional.of("HTTPS, http")), "the first proxy's scheme");
        assertEquals(new RequestClient("203.0.113.9", true, false), PROXIES.resolve(ip("127.0.0.1"), false, true,
                List.of("203.0.113.9"), Optional.of("http")));
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItWrites() {
        // A remote client that claims to be berth's own host, or someone else, is itself; and its scheme is its own.
        assertEquals(new RequestClient("192.0.2.50", true, false), PROXIES.resolve(ip("192.0.2.50"), false, true,
                List.of("127.0.0.1"), Optional.of("https")));
        assertEquals(new RequestClient("192.0.2.50", true, true), PROXIES.resolve(ip("192.0.2.50"), true, true,
                List.of("203.0.113.9"), Optional.of("http")), "its own TLS is what counts");
        assertEquals(new RequestClient("192.0.2.50", false, false), from("192.0.2.50"));
        // Nobody trusted: the peer, always.
        assertEquals(new RequestClient("127.0.0.1", true, false), TrustedProxies.NONE.resolve(ip("127.0.0.1"), false,
                true, List.of("203.0.113.9"), Optional.of("https")));
    }

    @Test
    void theClientIsTheRightMostAddressNoTrustedProxyHolds() {
        // The client wrote its own X-Forwarded-For (198.51.100.1); the outer proxy 10.0.0.2 appended what it saw.
        assertEquals("203.0.113.9", from("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.2").address());
        assertEquals("203.0.113.9", from("127.0.0.1", "198.51.100.1,203.0.113.9", "10.0.0.2").address(),
                "several header lines are one list");
        // Every hop trusted: the left-most is as far as anyone can tell.
        assertEquals("10.0.0.3", from("127.0.0.1", "10.0.0.3, 10.0.0.2").address());
    }

    @Test
    void anEntryThatIsNoAddressEndsTheWalkAtTheLastTrustedHop() {
        assertEquals("10.0.0.2", from("127.0.0.1", "203.0.113.9, localhost, 10.0.0.2").address());
        assertEquals("127.0.0.1", from("127.0.0.1", "unknown").address());
        assertEquals("127.0.0.1", from("127.0.0.1", "").address());
        assertEquals("127.0.0.1", from("127.0.0.1", "[::1]junk").address());
    }

    @Test
    void ipv6AndPortsAreRead() {
        assertEquals("2001:db8:0:0:0:0:0:7", from("::1", "2001:db8::7").address());
        assertEquals("2001:db8:0:0:0:0:0:7", from("127.0.0.1", "[2001:db8::7]:4711").address());
        assertEquals("192.0.2.7", from("fd00::5", "192.0.2.7:4711").address());
        assertEquals("2001:db8:0:0:0:0:0:7", from("::1", "2001:db8::7, fd00::9").address());
        assertEquals("0:0:0:0:0:0:0:2", from("::2", "203.0.113.9").address(), "::2 is no trusted proxy");
    }

    @Test
    void aTrustedPeerThatForwardsNothingIsTheClient() {
        assertEquals(new RequestClient("127.0.0.1", false, false), from("127.0.0.1"));
        assertEquals(new RequestClient("127.0.0.1", false, true), PROXIES.resolve(ip("127.0.0.1"), true, false,
                List.of(), Optional.empty()));
    }
}
