package dev.berth.http;

import io.helidon.webserver.http.ServerRequest;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whom a per-client limit counts a request against: an IPv4 address as it is, an IPv6 address by its /64, since one
 * host is usually given a whole /64 and could otherwise take a fresh address for every request.
 */
public final class ClientKey {
    private ClientKey() {
    }

    /** The key of the client that sent {@code req}; the one place limits learn who the client is. */
    public static String of(ServerRequest req) {
        return of(Requests.clientAddress(req));
    }

    /**
     * The key of {@code address}, a textual IP address: an IPv6 one (bracketed or not) becomes its /64
     * ({@code 2001:db8:1:2::/64}), an IPv4-mapped IPv6 one the IPv4 address. Anything else is its own key.
     */
    static String of(String address) {
        if (address.length() > 2 && address.startsWith("[") && address.endsWith("]")) {
            return of(address.substring(1, address.length() - 1));
        }
        if (address.indexOf(':') < 0 || !(Character.digit(address.charAt(0), 16) >= 0 || address.charAt(0) == ':')) {
            // IPv4, or not an address at all; the check also keeps getByName below from asking DNS.
            return address;
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            return parsed instanceof Inet6Address ? prefix64(parsed.getAddress()) : parsed.getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static String prefix64(byte[] bytes) {
        StringBuilder key = new StringBuilder();
        for (int group = 0; group < 4; group++) {
            key.append(Integer.toHexString((bytes[2 * group] & 0xff) << 8 | bytes[2 * group + 1] & 0xff)).append(':');
        }
        return key.append(":/64").toString();
    }
}
