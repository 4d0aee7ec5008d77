package dev.berth.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The addresses and CIDR blocks of {@code auth.trusted-proxies}, IPv4 and IPv6, read without any DNS lookup. */
class AddressRangeTest {
    private static InetAddress ip(String literal) {
        return AddressRange.literal(literal).orElseThrow();
    }

    @Test
    void aSingleAddressHoldsItselfOnly() {
        AddressRange one = AddressRange.parse("127.0.0.1");
        assertEquals("127.0.0.1/32", one.toString());
        assertTrue(one.contains(ip("127.0.0.1")));
        assertFalse(one.contains(ip("127.0.0.2")));
        AddressRange v6 = AddressRange.parse("::1");
        assertEquals("0:0:0:0:0:0:0:1/128", v6.toString());
        assertTrue(v6.contains(ip("0:0:0:0:0:0:0:1")));
        assertFalse(v6.contains(ip("::2")));
    }

    @Test
    void cidrBlocksHoldTheirAddressesAndNoOthers() {
        AddressRange lan = AddressRange.parse("10.1.0.0/16");
        assertTrue(lan.contains(ip("10.1.0.0")));
        assertTrue(lan.contains(ip("10.1.255.255")));
        assertFalse(lan.contains(ip("10.2.0.1")));
        AddressRange odd = AddressRange.parse("192.168.1.64/27");
        assertTrue(odd.contains(ip("192.168.1.95")));
        assertFalse(odd.contains(ip("192.168.1.96")));
        assertFalse(odd.contains(ip("192.168.1.63")));
        // Host bits are masked off: 10.9.8.7/8 is 10.0.0.0/8.
        assertEquals(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("10.9.8.7/8"));
        assertTrue(AddressRange.parse("0.0.0.0/0").contains(ip("203.0.113.9")));

        AddressRange ula = AddressRange.parse("fd00::/8");
        assertTrue(ula.contains(ip("fd12:3456::1")));
        assertFalse(ula.contains(ip("fe80::1")));
        AddressRange slash64 = AddressRange.parse("2001:db8:1:2::/64");
        assertTrue(slash64.contains(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assertFalse(slash64.contains(ip("2001:db8:1:3::")));
    }

    @Test
    void anIpv4BlockHoldsNoIpv6AddressNorTheReverse() {
        assertFalse(AddressRange.parse("0.0.0.0/0").contains(ip("::1")));
        assertFalse(AddressRange.parse("::/0").contains(ip("127.0.0.1")));
        // An IPv4-mapped IPv6 address is the IPv4 address it maps.
        assertTrue(AddressRange.parse("127.0.0.0/8").contains(ip("::ffff:127.0.0.1")));
    }

    @Test
    void namesZonesAndBadPrefixesAreRefused() {
        for (String bad : List.of("localhost", "proxy.example.org", "10.0.0.0/33", "::1/129", "10.0.0.256",
                "10.0.0", "10.0.0.0/", "10.0.0.0/-1", "fe80::1%eth0", "1.2.3.4/8/8", "::1::2", "", ".::1")) {
            assertThrows(IllegalArgumentException.class, () -> AddressRange.parse(bad), bad);
        }
    }

    @Test
    void literalsAreReadWithoutLookingAnythingUp() {
        assertEquals(Optional.empty(), AddressRange.literal("localhost"));
        assertEquals(Optional.empty(), AddressRange.literal("unknown"));
        assertEquals(Optional.empty(), AddressRange.literal("1.2.3.4.nip.io"));
        assertEquals("192.0.2.7", ip("192.0.2.7").getHostAddress());
        assertEquals("2001:db8:0:0:0:0:0:7", ip("2001:db8::7").getHostAddress());
    }
}
