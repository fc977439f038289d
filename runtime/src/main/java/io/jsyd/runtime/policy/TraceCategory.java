package io.jsyd.runtime.policy;

import java.util.Optional;

/**
 * The checks the ptrace layer makes, with the names they have in policy text and
 * in the decision log. Four are categories a policy turns on with
 * {@code sandbox/NAME:on} and gives an action with {@code default/NAME:ACTION}
 * (Syd's mem, pid, tpe and force); the two memory protections are turned on with
 * Syd's {@code trace/allow_unsafe_memory:0} and {@code trace/allow_unsafe_stack:0}
 * and always deny (EACCES), as in Syd.
 */
public enum TraceCategory {
    /** {@code mem/max} (proportional set size) and {@code mem/vm_max} (virtual size) per process. */
    MEM("mem", Action.DENY),
    /** {@code pid/max}: tasks of the container at once. */
    PID("pid", Action.KILL),
    /** Trusted path execution: exec only from root-owned directories nobody else may write. */
    TPE("tpe", Action.DENY),
    /** exec only of binaries whose SHA-256 the policy lists ({@code force+PATH:HEX[:ACTION]}). */
    FORCE("force", Action.DENY),
    /** W^X: no writable and executable memory, no exec added to writable or anonymous memory. */
    MEMORY("memory", Action.DENY),
    /** No executable stack (PT_GNU_STACK with PF_X). */
    STACK("stack", Action.DENY);

    private final String spelling;
    private final Action defaultAction;

    TraceCategory(String spelling, Action defaultAction) {
        this.spelling = spelling;
        this.defaultAction = defaultAction;
    }

    public String spelling() {
        return spelling;
    }

    /** Syd's default action for the category. */
    public Action defaultAction() {
        return defaultAction;
    }

    /** Whether {@code sandbox/} and {@code default/} lines may name it. */
    public boolean switchable() {
        return this != MEMORY && this != STACK;
    }

    public static Optional<TraceCategory> ofSpelling(String word) {
        for (TraceCategory c : values()) {
            if (c.switchable() && c.spelling.equals(word)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
