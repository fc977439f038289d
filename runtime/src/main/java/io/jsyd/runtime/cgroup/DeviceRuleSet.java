package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a list of device rules amounts to, the way the v1 devices cgroup
 * evaluates it: a default (allow or deny everything) plus exceptions per
 * (type, major, minor), each with its r/w/m bits. A rule of type 'a' resets the
 * default and drops the exceptions; another rule adds or removes access bits. It
 * gives the v1 writes that turn one state into another, and the clean rule list
 * the v2 eBPF program is built from (runc's devices emulator).
 */
final class DeviceRuleSet {
    static final int R = 1;
    static final int W = 2;
    static final int M = 4;

    record Key(char type, long major, long minor) {
    }

    private static final Comparator<Key> ORDER = Comparator.comparingLong(Key::major)
            .thenComparingLong(Key::minor).thenComparingInt(Key::type);

    private boolean defaultAllow;
    private final TreeMap<Key, Integer> exceptions = new TreeMap<>(ORDER);

    boolean defaultAllow() {
        return defaultAllow;
    }

    Map<Key, Integer> exceptions() {
        return java.util.Collections.unmodifiableMap(exceptions);
    }

    static DeviceRuleSet of(List<DeviceRule> rules) {
        DeviceRuleSet s = new DeviceRuleSet();
        for (int i = 0; i < rules.size(); i++) {
            try {
                s.apply(rules.get(i));
            } catch (IllegalArgumentException e) {
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + "devices[" + i + "]: " + e.getMessage());
            }
        }
        return s;
    }

    /** The state devices.list shows: "a *:* rwm" for allow-all, else the allowed exceptions. */
    static DeviceRuleSet fromList(String list) {
        DeviceRuleSet s = new DeviceRuleSet();
        for (String line : list.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("[ :]");
            if (f.length != 4) {
                throw new CgroupException("devices.list: malformed rule \"" + line + "\"");
            }
            s.apply(new DeviceRule(true, f[0].charAt(0), number(f[1]), number(f[2]), f[3]));
        }
        return s;
    }

    private static long number(String s) {
        return s.equals("*") ? DeviceRule.WILDCARD : Long.parseLong(s);
    }

    static int bits(String access) {
        int b = 0;
        for (char c : access.toCharArray()) {
            b |= c == 'r' ? R : c == 'w' ? W : M;
        }
        return b;
    }

    static String access(int bits) {
        return ((bits & R) != 0 ? "r" : "") + ((bits & W) != 0 ? "w" : "") + ((bits & M) != 0 ? "m" : "");
    }

    void apply(DeviceRule rule) {
        if (rule.type() == 'a') {
            defaultAllow = rule.allow();
            exceptions.clear();
            return;
        }
        Key key = new Key(rule.type(), rule.major(), rule.minor());
        int bits = bits(rule.access());
        if (rule.allow() == defaultAllow) {
            remove(key, bits);
        } else {
            exceptions.merge(key, bits, (a, b) -> a | b);
        }
    }

    /*
     * Taking bits away from an exception cannot reach inside a wildcard
     * exception: the v1 kernel keeps "c *:* m" whole when asked to drop "c 1:3 m".
     */
    private void remove(Key key, int bits) {
        for (Key partial : List.of(new Key(key.type(), DeviceRule.WILDCARD, key.minor()),
                new Key(key.type(), key.major(), DeviceRule.WILDCARD),
                new Key(key.type(), DeviceRule.WILDCARD, DeviceRule.WILDCARD))) {
            if (!partial.equals(key) && (exceptions.getOrDefault(partial, 0) & bits) != 0) {
                throw new IllegalArgumentException("rule " + new DeviceRule(defaultAllow, key.type(), key.major(),
                        key.minor(), access(bits)).cgroupLine() + " would punch a hole in the wildcard rule "
                        + new DeviceRule(!defaultAllow, partial.type(), partial.major(), partial.minor(),
                        access(exceptions.get(partial))).cgroupLine() + ", which the devices cgroup cannot express");
            }
        }
        int left = exceptions.getOrDefault(key, 0) & ~bits;
        if (left == 0) {
            exceptions.remove(key);
        } else {
            exceptions.put(key, left);
        }
    }

    /** The rules that move a cgroup from this state to {@code target}, in order. */
    List<DeviceRule> transition(DeviceRuleSet target) {
        List<DeviceRule> out = new ArrayList<>();
        Map<Key, Integer> old = exceptions;
        if (defaultAllow || defaultAllow != target.defaultAllow) {
            // a default-allow cgroup's exceptions cannot be edited one by one: reset it
            out.add(new DeviceRule(target.defaultAllow, 'a', DeviceRule.WILDCARD, DeviceRule.WILDCARD, "rwm"));
            old = Map.of();
        }
        for (Map.Entry<Key, Integer> e : sorted(old).entrySet()) {
            int dropped = e.getValue() & ~target.exceptions.getOrDefault(e.getKey(), 0);
            if (dropped != 0) {
                out.add(rule(target.defaultAllow, e.getKey(), dropped));
            }
        }
        for (Map.Entry<Key, Integer> e : target.exceptions.entrySet()) {
            int gained = e.getValue() & ~old.getOrDefault(e.getKey(), 0);
            if (gained != 0) {
                out.add(rule(!target.defaultAllow, e.getKey(), gained));
            }
        }
        return out;
    }

    private static TreeMap<Key, Integer> sorted(Map<Key, Integer> m) {
        TreeMap<Key, Integer> t = new TreeMap<>(ORDER);
        t.putAll(m);
        return t;
    }

    /** The rules from a deny-all start: first the default (if allow-all), then one rule per exception. */
    List<DeviceRule> rules() {
        return new DeviceRuleSet().transition(this);
    }

    private static DeviceRule rule(boolean allow, Key k, int bits) {
        return new DeviceRule(allow, k.type(), k.major(), k.minor(), access(bits));
    }
}
