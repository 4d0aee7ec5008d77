package dev.berth.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A block of IP addresses, written as one address ({@code 127.0.0.1}, {@code ::1}) or in CIDR notation
 * ({@code 10.0.0.0/8}, {@code fd00::/8}): what {@code auth.trusted-proxies} lists. Only literal addresses are read;
 * a host name is refused rather than looked up.
 */
public final class AddressRange {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    /** Hexadecimal groups, colons, and an IPv4 tail: Java parses such text as an IPv6 literal, never as a name. */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");

    private final byte[] network;
    private final int prefix;

    private AddressRange(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** Parses {@code text}; IllegalArgumentException when it is no address or CIDR block. */
    public static AddressRange parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        InetAddress address = literal(slash < 0 ? trimmed : trimmed.substring(0, slash)).orElseThrow(() ->
                new IllegalArgumentException("not an IP address: " + text));
        byte[] bytes = address.getAddress();
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String bits = trimmed.substring(slash + 1);
            if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > bytes.length * 8) {
                throw new IllegalArgumentException("not a prefix length from 0 to " + bytes.length * 8 + ": " + text);
            }
            prefix = Integer.parseInt(bits);
        }
        return new AddressRange(masked(bytes, prefix), prefix);
    }

    /**
     * The address {@code text} writes literally: IPv4 dotted quad or IPv6 (no zone), else empty. Never asks the DNS.
     */
    public static Optional<InetAddress> literal(String text) {
        Matcher v4 = IPV4.matcher(text);
        try {
            if (v4.matches()) {
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int part = Integer.parseInt(v4.group(i + 1));
                    if (part > 255) {
                        return Optional.empty();
                    }
                    bytes[i] = (byte) part;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            if (text.indexOf(':') >= 0 && IPV6.matcher(text).matches()) {
                // With a colon in it, InetAddress parses the text as an IPv6 literal or refuses it: no lookup.
                return Optional.of(InetAddress.getByName(text));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether {@code address} lies in this block (an IPv4 block holds no IPv6 address, nor the reverse). */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == network.length && Arrays.equals(masked(bytes, prefix), network);
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressRange range && range.prefix == prefix
                && Arrays.equals(range.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
