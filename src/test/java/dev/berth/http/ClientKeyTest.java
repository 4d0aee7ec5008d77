package dev.berth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Per-client limits count an IPv4 client by its address and an IPv6 client by its /64. */
class ClientKeyTest {
    @Test
    void anIpv4AddressIsItsOwnKey() {
        assertEquals("10.0.0.7", ClientKey.of("10.0.0.7"));
        assertNotEquals(ClientKey.of("10.0.0.7"), ClientKey.of("10.0.0.8"));
    }

    @Test
    void ipv6AddressesOfOneSlash64AreOneClient() {
        assertEquals("2001:db8:1:2::/64", ClientKey.of("2001:db8:1:2::1"));
        assertEquals("2001:db8:1:2::/64", ClientKey.of("2001:0db8:0001:0002:ffff:eeee:dddd:cccc"));
        assertEquals("2001:db8:1:2::/64", ClientKey.of("[2001:db8:1:2:a:b:c:d]"));
        assertNotEquals(ClientKey.of("2001:db8:1:2::1"), ClientKey.of("2001:db8:1:3::1"));
        assertEquals("fe80:0:0:0::/64", ClientKey.of("fe80::1%1"));
        assertEquals("0:0:0:0::/64", ClientKey.of("::1"));
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4Client() {
        assertEquals("192.0.2.5", ClientKey.of("::ffff:192.0.2.5"));
    }

    @Test
    void somethingThatIsNoAddressIsLeftAsItIs() {
        // As Helidon reports a peer it has no IP address for; never looked up in DNS.
        assertEquals("berth.example", ClientKey.of("berth.example"));
        assertEquals("zz::1", ClientKey.of("zz::1"));
    }
}
