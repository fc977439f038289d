package io.jsyd.runtime.seccomp;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A seccomp filter to build: the default action, the architectures besides the
 * native one (libseccomp's names: "x86", "x32", "aarch64" ...), the filter flags,
 * and the rules in order.
 */
public record SeccompProgram(SeccompAction defaultAction, List<String> architectures, Set<FilterFlag> flags,
                             List<SyscallRule> rules) {
    public SeccompProgram {
        if (defaultAction == null) {
            throw new IllegalArgumentException("a program needs a default action");
        }
        // The init makes syscalls of its own between loading the filter and execve,
        // and hands the listener over with one of them: a notifying default would
        // wait for a listener that only that syscall could deliver.
        if (defaultAction == SeccompAction.NOTIFY) {
            throw new IllegalArgumentException("SCMP_ACT_NOTIFY cannot be the default action");
        }
        architectures = List.copyOf(architectures);
        flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        rules = List.copyOf(rules);
        if (flags.contains(FilterFlag.WAIT_KILLABLE_RECV) && !notifies(rules)) {
            // the kernel accepts it only together with a listener
            throw new IllegalArgumentException("WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY");
        }
    }

    /** Whether some rule notifies, so the filter gets a listener fd. */
    public boolean hasListener() {
        return notifies(rules);
    }

    private static boolean notifies(List<SyscallRule> rules) {
        return rules.stream().anyMatch(r -> r.action() == SeccompAction.NOTIFY);
    }
}
