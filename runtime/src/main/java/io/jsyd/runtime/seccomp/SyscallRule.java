package io.jsyd.runtime.seccomp;

import java.util.List;

/**
 * The action for one syscall, by name, when every condition holds (an empty list
 * always holds). {@code origin} names where the rule came from, for messages.
 */
public record SyscallRule(String syscall, SeccompAction action, List<ArgCondition> conditions, String origin) {
    public SyscallRule {
        if (syscall == null || syscall.isEmpty()) {
            throw new IllegalArgumentException("a rule needs a syscall name");
        }
        if (action == null) {
            throw new IllegalArgumentException("a rule needs an action");
        }
        conditions = List.copyOf(conditions);
        origin = origin == null ? "" : origin;
    }

    public SyscallRule(String syscall, SeccompAction action, ArgCondition... conditions) {
        this(syscall, action, List.of(conditions), "");
    }
}
