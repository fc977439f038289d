package io.jsyd.runtime.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The Landlock part of a policy: whether it is on, what happens when the kernel
 * cannot apply all of it, what is scoped, and the rules that grant rights. With
 * Landlock on, every right the kernel can restrict is refused except beneath the
 * rules' paths and on their ports (Landlock is allow-list only).
 */
public record LockPolicy(boolean on, LockMode mode, Set<LockScope> scopes, List<LockRule> rules) {
    /** Both scopes: off only when the policy says so. */
    public static final Set<LockScope> DEFAULT_SCOPES = Collections.unmodifiableSet(EnumSet.allOf(LockScope.class));

    public static final LockPolicy OFF = new LockPolicy(false, LockMode.STRICT, DEFAULT_SCOPES, List.of());

    public LockPolicy {
        EnumSet<LockScope> s = EnumSet.noneOf(LockScope.class);
        s.addAll(scopes);
        scopes = Collections.unmodifiableSet(s);
        rules = List.copyOf(rules);
    }

    /** Policy lines that parse back to this (origins aside), in the order {@code policy show} prints them. */
    public List<String> render() {
        List<String> lines = new ArrayList<>();
        if (on) {
            lines.add("sandbox/lock:on");
        }
        if (mode != LockMode.STRICT) {
            lines.add("default/lock:" + mode.spelling());
        }
        if (!scopes.equals(DEFAULT_SCOPES)) {
            lines.add("lock/scope:" + (scopes.isEmpty() ? "none"
                    : String.join(",", scopes.stream().map(LockScope::spelling).toList())));
        }
        for (LockRule r : rules) {
            lines.add(r.line());
        }
        return lines;
    }
}
