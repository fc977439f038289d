package io.jsyd.runtime.policy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IP network and the ports a rule applies to: {@code 10.0.0.0/8!22},
 * {@code ::1!8000-8080}, {@code 0.0.0.0/0!80,443}. Without a prefix length the
 * address stands alone (/32 or /128). Host bits below the prefix are cleared, so
 * {@code 10.1.2.3/8} and {@code 10.0.0.0/8} are the same pattern.
 *
 * <p>IPv4 rules match IPv4 destinations, including IPv4-mapped IPv6 addresses
 * ({@code ::ffff:10.0.0.1} is 10.0.0.1 on the wire); IPv6 rules match the rest.
 * So {@code allow/net/connect+::/0!443} does not open IPv4.
 */
public record NetAddress(InetAddress network, int prefixLength, List<PortRange> ports) implements Pattern {
    public NetAddress {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("expected a prefix length (0-" + bits + "), got " + prefixLength);
        }
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("expected at least one port or range");
        }
        network = masked(network, prefixLength);
        ports = List.copyOf(ports);
    }

    /** Names for common networks, as Syd has them; each stands for an IPv4 and/or IPv6 network. */
    private static final List<String> ALIASES = List.of("any", "any4", "any6", "loopback", "loopback4",
            "loopback6");

    public boolean isIpv4() {
        return network instanceof Inet4Address;
    }

    @Override
    public String text() {
        String address = isIpv4() ? network.getHostAddress() : ipv6Text(network.getAddress());
        int full = network.getAddress().length * 8;
        StringBuilder sb = new StringBuilder(address);
        if (prefixLength != full) {
            sb.append('/').append(prefixLength);
        }
        sb.append('!');
        for (int i = 0; i < ports.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(ports.get(i).text());
        }
        return sb.toString();
    }

    /**
     * Parses {@code ADDRESS[/LENGTH]!PORTS} ({@code @} is accepted for {@code !}, as
     * Syd does); ADDRESS may be an alias (any, any4, any6, loopback, loopback4,
     * loopback6), so one text can give two patterns.
     */
    public static List<NetAddress> parse(String text) {
        int sep = text.indexOf('!');
        if (sep < 0) {
            sep = text.indexOf('@');
        }
        if (sep < 0) {
            throw new IllegalArgumentException("expected ADDRESS[/LENGTH]!PORT[-PORT], got '"
                    + GlobSyntax.shorten(text) + "' (no '!' before the port)");
        }
        List<PortRange> ports = ports(text.substring(sep + 1));
        String network = text.substring(0, sep);
        String address = network;
        Integer length = null;
        int slash = network.indexOf('/');
        if (slash >= 0) {
            address = network.substring(0, slash);
            length = number(network.substring(slash + 1), "prefix length", 128);
        }
        List<NetAddress> result = new ArrayList<>();
        switch (address) {
            case "any", "any4", "any6", "loopback", "loopback4", "loopback6" -> {
                if (length != null) {
                    throw new IllegalArgumentException("the alias " + address + " takes no prefix length");
                }
                boolean four = !address.endsWith("6");
                boolean six = !address.endsWith("4");
                boolean any = address.startsWith("any");
                if (four) {
                    result.add(new NetAddress(v4(any ? "0.0.0.0" : "127.0.0.0"), any ? 0 : 8, ports));
                }
                if (six) {
                    result.add(new NetAddress(v6(any ? "::" : "::1"), any ? 0 : 128, ports));
                }
            }
            default -> {
                InetAddress ip = address.indexOf(':') >= 0 ? v6(address) : v4(address);
                if (address.indexOf(':') >= 0 && ip instanceof Inet4Address && length != null) {
                    if (length < 96) {
                        throw new IllegalArgumentException("an IPv4-mapped network needs a prefix length of"
                                + " 96 or more, got " + length);
                    }
                    length -= 96;
                }
                int full = ip.getAddress().length * 8;
                result.add(new NetAddress(ip, length == null ? full : length, ports));
            }
        }
        return List.copyOf(result);
    }

    static List<String> aliases() {
        return ALIASES;
    }

    private static List<PortRange> ports(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("expected a port or range after '!'");
        }
        List<PortRange> ranges = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            int dash = part.indexOf('-');
            int first = number(dash < 0 ? part : part.substring(0, dash), "port", 65535);
            int last = dash < 0 ? first : number(part.substring(dash + 1), "port", 65535);
            if (first > last) {
                throw new IllegalArgumentException("port range " + part + " runs backwards");
            }
            ranges.add(new PortRange(first, last));
        }
        return ranges;
    }

    private static int number(String s, String what, int max) {
        if (s.isEmpty() || s.length() > 6 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("expected a " + what + " (0-" + max + "), got '"
                    + GlobSyntax.shorten(s) + "'");
        }
        int v = Integer.parseInt(s);
        if (v > max) {
            throw new IllegalArgumentException("expected a " + what + " (0-" + max + "), got " + v);
        }
        return v;
    }

    /** Strict dotted quad: the shorthand forms (10.1, 0x7f.1) that inet_aton takes are refused. */
    private static InetAddress v4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw badAddress(s);
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw badAddress(s);
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw badAddress(s);
            }
            b[i] = (byte) v;
        }
        return byAddress(b);
    }

    private static InetAddress v6(String s) {
        if (s.indexOf('%') >= 0) {
            throw new IllegalArgumentException("expected an IPv6 address without a scope, got '"
                    + GlobSyntax.shorten(s) + "'");
        }
        try {
            // ofLiteral never resolves names; an IPv4-mapped literal comes back as
            // Inet4Address, which is what the matcher does with such addresses too.
            return Inet6Address.ofLiteral(s);
        } catch (IllegalArgumentException e) {
            throw badAddress(s);
        }
    }

    private static IllegalArgumentException badAddress(String s) {
        return new IllegalArgumentException("expected an IPv4 address (a.b.c.d), an IPv6 address or one of "
                + String.join(", ", ALIASES) + "; got '" + GlobSyntax.shorten(s) + "'");
    }

    private static InetAddress byAddress(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static InetAddress masked(InetAddress ip, int length) {
        byte[] b = ip.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.clamp(length - i * 8L, 0, 8);
            b[i] &= (byte) (0xff << (8 - keep));
        }
        return byAddress(b);
    }

    /** RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
    static String ipv6Text(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetAddress other && prefixLength == other.prefixLength
                && Arrays.equals(network.getAddress(), other.network.getAddress()) && ports.equals(other.ports);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network.getAddress()) * 31 + prefixLength * 17 + ports.hashCode();
    }
}
