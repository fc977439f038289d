package io.jsyd.runtime.cgroup;

/**
 * One device cgroup rule, as devices.allow / devices.deny take it.
 *
 * @param type   'a' (all), 'b' or 'c'
 * @param major  the major number, or {@link #WILDCARD}
 * @param minor  the minor number, or {@link #WILDCARD}
 * @param access a non-empty subset of "rwm"
 */
public record DeviceRule(boolean allow, char type, long major, long minor, String access) {
    public static final long WILDCARD = -1;

    public DeviceRule {
        if (type != 'a' && type != 'b' && type != 'c') {
            throw new IllegalArgumentException("device rule type must be a, b or c: " + type);
        }
        if (access.isEmpty() || !access.chars().allMatch(ch -> ch == 'r' || ch == 'w' || ch == 'm')) {
            throw new IllegalArgumentException("device rule access must be a non-empty subset of rwm: " + access);
        }
    }

    /** The line devices.allow and devices.deny take: "c 1:3 rwm", "a *:* rwm". */
    public String cgroupLine() {
        return type + " " + number(major) + ":" + number(minor) + " " + access;
    }

    private static String number(long n) {
        return n == WILDCARD ? "*" : Long.toString(n);
    }
}
