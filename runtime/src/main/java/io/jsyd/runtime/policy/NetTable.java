package io.jsyd.runtime.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The address rules of one network category as parallel arrays, one entry per
 * (rule, port range), searched from the last entry back so the first hit is the
 * last matching rule. A network check happens per bind or connect, not per file
 * access, and a few hundred masked compares take well under a microsecond.
 */
final class NetTable {
    private final int[] rule;
    private final boolean[] v4;
    private final long[] high;
    private final long[] low;
    private final long[] maskHigh;
    private final long[] maskLow;
    private final int[] firstPort;
    private final int[] lastPort;

    NetTable(List<Rule> rules) {
        List<long[]> entries = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            if (rules.get(r).pattern() instanceof NetAddress a) {
                long[] bits = bits(a.network().getAddress());
                long[] mask = mask(a.prefixLength(), a.isIpv4());
                for (PortRange p : a.ports()) {
                    entries.add(new long[] {r, a.isIpv4() ? 1 : 0, bits[0], bits[1], mask[0], mask[1], p.first(),
                        p.last()});
                }
            }
        }
        int n = entries.size();
        rule = new int[n];
        v4 = new boolean[n];
        high = new long[n];
        low = new long[n];
        maskHigh = new long[n];
        maskLow = new long[n];
        firstPort = new int[n];
        lastPort = new int[n];
        for (int i = 0; i < n; i++) {
            long[] e = entries.get(i);
            rule[i] = (int) e[0];
            v4[i] = e[1] == 1;
            high[i] = e[2];
            low[i] = e[3];
            maskHigh[i] = e[4];
            maskLow[i] = e[5];
            firstPort[i] = (int) e[6];
            lastPort[i] = (int) e[7];
        }
    }

    /**
     * The last rule matching a 4- or 16-byte address and a port, or -1. An
     * IPv4-mapped IPv6 address is matched as the IPv4 address it reaches.
     */
    int match(byte[] address, int port) {
        boolean four;
        long[] bits;
        if (address.length == 4) {
            four = true;
            bits = bits(address);
        } else if (address.length == 16) {
            four = isMapped(address);
            bits = four ? bits(java.util.Arrays.copyOfRange(address, 12, 16)) : bits(address);
        } else {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        for (int i = rule.length - 1; i >= 0; i--) {
            if (v4[i] == four && port >= firstPort[i] && port <= lastPort[i]
                    && (bits[0] & maskHigh[i]) == high[i] && (bits[1] & maskLow[i]) == low[i]) {
                return rule[i];
            }
        }
        return -1;
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** The address as two 64-bit halves; IPv4 sits in the low 32 bits of the low half. */
    private static long[] bits(byte[] a) {
        long hi = 0;
        long lo = 0;
        if (a.length == 4) {
            for (byte b : a) {
                lo = lo << 8 | (b & 0xff);
            }
        } else {
            for (int i = 0; i < 8; i++) {
                hi = hi << 8 | (a[i] & 0xff);
            }
            for (int i = 8; i < 16; i++) {
                lo = lo << 8 | (a[i] & 0xff);
            }
        }
        return new long[] {hi, lo};
    }

    private static long[] mask(int length, boolean four) {
        if (four) {
            return new long[] {0, length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL};
        }
        long hi = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
        long lo = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
        return new long[] {hi, lo};
    }
}
