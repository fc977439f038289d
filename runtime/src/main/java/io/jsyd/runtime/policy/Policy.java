package io.jsyd.runtime.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A container's sandbox policy, as parsed: which categories are confined, each
 * category's default action and rules (in the order written; the last matching
 * rule wins), the wall-clock timeout, the resource limits, and whether the policy
 * was locked, and its Landlock part ({@link LockPolicy}). Immutable;
 * {@link #compile()} gives the matcher the supervisor asks.
 *
 * <p>Unlike Syd, which confines everything unless told otherwise, every category
 * starts off: a container without a policy runs as it would under runc, and a
 * policy turns on what it confines with {@code sandbox/...:on}.
 */
public record Policy(Set<Category> sandboxed, Map<Category, Action> defaults, Map<Category, List<Rule>> rules,
        Optional<Duration> timeout, ResourceLimits limits, Optional<Origin> lockedAt, LockPolicy landlock,
        TracePolicy trace) {

    /** Syd's default for a confined category with no rule that matches. */
    public static final Action DEFAULT_ACTION = Action.DENY;

    public static final Policy EMPTY = new Policy(Set.of(), Map.of(), Map.of(), Optional.empty(),
            ResourceLimits.NONE, Optional.empty(), LockPolicy.OFF, TracePolicy.NONE);

    /** A policy without Landlock or ptrace checks. */
    public Policy(Set<Category> sandboxed, Map<Category, Action> defaults, Map<Category, List<Rule>> rules,
            Optional<Duration> timeout, ResourceLimits limits, Optional<Origin> lockedAt) {
        this(sandboxed, defaults, rules, timeout, limits, lockedAt, LockPolicy.OFF, TracePolicy.NONE);
    }

    /** A policy without ptrace checks. */
    public Policy(Set<Category> sandboxed, Map<Category, Action> defaults, Map<Category, List<Rule>> rules,
            Optional<Duration> timeout, ResourceLimits limits, Optional<Origin> lockedAt, LockPolicy landlock) {
        this(sandboxed, defaults, rules, timeout, limits, lockedAt, landlock, TracePolicy.NONE);
    }

    /** A policy without Landlock. */
    public Policy(Set<Category> sandboxed, Map<Category, Action> defaults, Map<Category, List<Rule>> rules,
            Optional<Duration> timeout, ResourceLimits limits, Optional<Origin> lockedAt, TracePolicy trace) {
        this(sandboxed, defaults, rules, timeout, limits, lockedAt, LockPolicy.OFF, trace);
    }

    public Policy {
        EnumSet<Category> on = EnumSet.noneOf(Category.class);
        on.addAll(sandboxed);
        sandboxed = Collections.unmodifiableSet(on);
        EnumMap<Category, Action> d = new EnumMap<>(Category.class);
        EnumMap<Category, List<Rule>> r = new EnumMap<>(Category.class);
        for (Category c : Category.values()) {
            d.put(c, defaults.getOrDefault(c, DEFAULT_ACTION));
            List<Rule> list = List.copyOf(rules.getOrDefault(c, List.of()));
            for (Rule rule : list) {
                if (rule.category() != c) {
                    throw new IllegalArgumentException("a " + rule.category().spelling() + " rule in the "
                            + c.spelling() + " list: " + rule.line());
                }
            }
            r.put(c, list);
        }
        defaults = Collections.unmodifiableMap(d);
        rules = Collections.unmodifiableMap(r);
        if (timeout.isPresent() && (timeout.get().isNegative() || timeout.get().isZero())) {
            throw new IllegalArgumentException("a timeout must be positive: " + timeout.get());
        }
    }

    public boolean isSandboxed(Category category) {
        return sandboxed.contains(category);
    }

    public Action defaultAction(Category category) {
        return defaults.get(category);
    }

    public List<Rule> rules(Category category) {
        return rules.get(category);
    }

    public boolean isLocked() {
        return lockedAt.isPresent();
    }

    /** Whether the policy asks for anything at all (if not, no supervision is needed). */
    public boolean isEmpty() {
        return sandboxed.isEmpty() && timeout.isEmpty() && limits.equals(ResourceLimits.NONE) && !landlock.on()
                && !trace.needsTracer();
    }

    /** Precompiles the rules for deciding (automata for globs, arrays for networks). */
    public PolicyMatcher compile() {
        return PolicyMatcher.of(this);
    }

    /**
     * The policy as text that parses back to the same policy (origins aside): what
     * {@code policy show} prints. Rules keep their order within each category.
     */
    public String render() {
        List<String> lines = new ArrayList<>();
        if (!sandboxed.isEmpty()) {
            lines.add("sandbox/" + String.join(",", sandboxed.stream().map(Category::spelling).toList()) + ":on");
        }
        for (Category c : Category.values()) {
            if (defaults.get(c) != DEFAULT_ACTION) {
                lines.add("default/" + c.spelling() + ":" + defaults.get(c).spelling());
            }
        }
        timeout.ifPresent(t -> lines.add("timeout:" + Durations.format(t)));
        limits.memMax().ifPresent(v -> lines.add("mem/max:" + v));
        limits.vmMax().ifPresent(v -> lines.add("mem/vm_max:" + v));
        limits.pidMax().ifPresent(v -> lines.add("pid/max:" + v));
        renderTrace(lines);
        for (Category c : Category.values()) {
            for (Rule rule : rules.get(c)) {
                lines.add(rule.line());
            }
        }
        lines.addAll(landlock.render());
        trace.force().values().forEach(f -> lines.add(f.line()));
        if (isLocked()) {
            lines.add("lock:on");
        }
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    private void renderTrace(List<String> lines) {
        // after the limits, which turn mem and pid on by themselves
        for (TraceCategory c : TraceCategory.values()) {
            if (c.switchable()) {
                boolean limited = c == TraceCategory.MEM ? limits.memMax().isPresent() || limits.vmMax().isPresent()
                        : c == TraceCategory.PID && limits.pidMax().isPresent();
                if (trace.isOn(c) || limited) {
                    lines.add("sandbox/" + c.spelling() + (trace.isOn(c) ? ":on" : ":off"));
                }
                if (trace.action(c) != c.defaultAction()) {
                    lines.add("default/" + c.spelling() + ":" + trace.action(c).spelling());
                }
            }
        }
        if (trace.isOn(TraceCategory.MEMORY)) {
            lines.add("trace/allow_unsafe_memory:0");
        }
        if (trace.isOn(TraceCategory.STACK)) {
            lines.add("trace/allow_unsafe_stack:0");
        }
        if (trace.tpeUserOwned()) {
            lines.add("tpe/user_owned:1");
        }
    }
}
