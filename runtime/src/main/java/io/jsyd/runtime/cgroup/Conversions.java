package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;

/** The v1 -> v2 value conversions, as runc (opencontainers/cgroups) makes them. */
final class Conversions {
    private Conversions() {
    }

    /**
     * cpu.shares [2, 262144] -> cpu.weight [1, 10000]. The current runc and crun use
     * a curve through the three points that matter (2 -> 1, 1024 -> 100, 262144 ->
     * 10000), so the default share maps to the default weight; the older linear
     * formula gave 1024 -> 39.
     */
    static long cpuWeight(long shares) {
        if (shares == 0) {
            return 0;
        }
        if (shares <= 2) {
            return 1;
        }
        if (shares >= 262144) {
            return 10000;
        }
        double l = log2(shares);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (long) Math.ceil(Math.pow(10, exponent));
    }

    /**
     * log2 as Go computes it (exact for powers of two), so 1024 shares give
     * exactly weight 100, not 101 through a rounding error in log(x)/log(2).
     */
    static double log2(double x) {
        int exp = Math.getExponent(x) + 1;
        double frac = x / Math.scalb(1.0, exp);
        if (frac == 0.5) {
            return exp - 1;
        }
        return Math.log(frac) * (1 / Math.log(2)) + exp;
    }

    /** blkio.weight [10, 1000] -> io.weight [1, 10000], linearly. */
    static long ioWeight(long blkioWeight) {
        if (blkioWeight == 0) {
            return 0;
        }
        return 1 + (blkioWeight - 10) * 9999 / 990;
    }

    /**
     * The OCI swap value is memory+swap (v1's memsw); v2's memory.swap.max is swap
     * alone. -1 is "max", 0 "leave as is".
     */
    static long swapV2(long memorySwap, long memory) {
        if (memory == -1 && memorySwap == 0) {
            return -1;
        }
        if (memorySwap == -1 || memorySwap == 0) {
            return memorySwap;
        }
        if (memory == -1) {
            return memorySwap;
        }
        if (memory == 0) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.swap: a swap limit needs a memory limit");
        }
        if (memory < 0) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.limit: invalid value " + memory);
        }
        if (memorySwap < memory) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.swap: " + memorySwap
                    + " is below memory.limit " + memory + "; it is the memory+swap limit");
        }
        return memorySwap - memory;
    }

    /** v2's spelling of a limit: -1 is "max", 0 is "not set" (null). */
    static String v2Limit(long value) {
        if (value == 0) {
            return null;
        }
        return value == -1 ? "max" : Long.toString(value);
    }

    static long zero(Long v) {
        return v == null ? 0 : v;
    }

    static int zero(Integer v) {
        return v == null ? 0 : v;
    }
}
