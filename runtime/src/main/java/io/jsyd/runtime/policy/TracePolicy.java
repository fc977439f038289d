package io.jsyd.runtime.policy;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The part of a policy the ptrace layer enforces: which of its checks are on, the
 * action of each, the force list and the TPE options. Immutable. The limits
 * themselves ({@code mem/max}, {@code pid/max}) stay in {@link ResourceLimits}.
 *
 * @param sandboxed   the checks that are on (MEMORY and STACK included)
 * @param defaults    the action per check (Syd's default when absent)
 * @param force       the force list by canonical container path
 * @param tpeUserOwned {@code tpe/user_owned:1}: a directory owned by the executing user is trusted too
 */
public record TracePolicy(Set<TraceCategory> sandboxed, Map<TraceCategory, Action> defaults,
        Map<String, ForceRule> force, boolean tpeUserOwned) {

    public static final TracePolicy NONE = new TracePolicy(Set.of(), Map.of(), Map.of(), false);

    public TracePolicy {
        EnumSet<TraceCategory> on = EnumSet.noneOf(TraceCategory.class);
        on.addAll(sandboxed);
        sandboxed = Collections.unmodifiableSet(on);
        EnumMap<TraceCategory, Action> d = new EnumMap<>(TraceCategory.class);
        for (TraceCategory c : TraceCategory.values()) {
            d.put(c, defaults.getOrDefault(c, c.defaultAction()));
        }
        defaults = Collections.unmodifiableMap(d);
        force = Collections.unmodifiableMap(new LinkedHashMap<>(force));
    }

    public boolean isOn(TraceCategory c) {
        return sandboxed.contains(c);
    }

    public Action action(TraceCategory c) {
        return defaults.get(c);
    }

    /** Whether any check is on: only then is the container traced. */
    public boolean needsTracer() {
        return !sandboxed.isEmpty();
    }

    /** Whether exec needs the image checks (path, hash or ELF header). */
    public boolean checksExec() {
        return isOn(TraceCategory.TPE) || isOn(TraceCategory.FORCE) || isOn(TraceCategory.STACK);
    }
}
