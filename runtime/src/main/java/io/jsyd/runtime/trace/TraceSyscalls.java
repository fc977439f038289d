package io.jsyd.runtime.trace;

import static io.jsyd.runtime.linux.LinuxConstants.PROT_EXEC;

import io.jsyd.runtime.policy.ResourceLimits;
import io.jsyd.runtime.policy.TraceCategory;
import io.jsyd.runtime.policy.TracePolicy;
import io.jsyd.runtime.seccomp.ArgCondition;
import io.jsyd.runtime.seccomp.ArgOperator;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import io.jsyd.runtime.seccomp.SeccompProgram;
import io.jsyd.runtime.seccomp.SyscallRule;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The syscalls the tracer stops for, and the filter that stops them
 * (SECCOMP_RET_TRACE): only those a check that is on needs, and mmap and mprotect
 * only with PROT_EXEC (W^X, and the exec checks of mapped libraries) unless the
 * memory limit needs every mapping. Everything
 * else never stops. Exec, fork and exit events come from the ptrace options, not
 * from the filter.
 */
public final class TraceSyscalls {
    /** What a stop is for. */
    public enum Kind {
        EXECVE("execve"), EXECVEAT("execveat"), MMAP("mmap"), MPROTECT("mprotect"), PKEY_MPROTECT("pkey_mprotect"),
        BRK("brk"), MREMAP("mremap"), FORK("fork"), VFORK("vfork"), CLONE("clone"), CLONE3("clone3");

        private final String syscall;

        Kind(String syscall) {
            this.syscall = syscall;
        }

        public String syscall() {
            return syscall;
        }
    }

    private TraceSyscalls() {
    }

    /** The stops a policy needs, with the argument condition of each (none: every call). */
    static Map<Kind, List<ArgCondition>> stops(TracePolicy p, ResourceLimits limits) {
        Map<Kind, List<ArgCondition>> m = new EnumMap<>(Kind.class);
        if (p.checksExec()) {
            m.put(Kind.EXECVE, List.of());
            m.put(Kind.EXECVEAT, List.of());
        }
        List<ArgCondition> exec = List.of(new ArgCondition(2, ArgOperator.MASKED_EQ, PROT_EXEC, PROT_EXEC));
        if (p.checksExec()) {
            // executable file mappings (libraries) get the exec checks too
            m.put(Kind.MMAP, exec);
        }
        if (p.isOn(TraceCategory.MEMORY)) {
            m.put(Kind.MMAP, exec);
            m.put(Kind.MPROTECT, exec);
            m.put(Kind.PKEY_MPROTECT, exec);
        }
        if (p.isOn(TraceCategory.MEM) && (limits.memMax().isPresent() || limits.vmMax().isPresent())) {
            m.put(Kind.MMAP, List.of());
            m.put(Kind.BRK, List.of());
            m.put(Kind.MREMAP, List.of());
        }
        if (p.isOn(TraceCategory.PID) && limits.pidMax().isPresent()) {
            for (Kind k : List.of(Kind.FORK, Kind.VFORK, Kind.CLONE, Kind.CLONE3)) {
                m.put(k, List.of());
            }
        }
        return m;
    }

    /** The filter: SECCOMP_RET_TRACE for the stops, everything else allowed (other filters have had their say). */
    public static SeccompProgram program(TracePolicy p, ResourceLimits limits) {
        List<SyscallRule> rules = new ArrayList<>();
        stops(p, limits).forEach((kind, conditions) -> rules.add(
                new SyscallRule(kind.syscall(), SeccompAction.trace(kind.ordinal()), conditions, "policy (ptrace)")));
        return new SeccompProgram(SeccompAction.ALLOW, List.of(), Set.of(), rules);
    }

    /** The kinds by this machine's syscall numbers (what a seccomp stop reports). */
    static Map<Integer, Kind> byNumber(Libseccomp lib) {
        Map<Integer, Kind> m = new HashMap<>();
        for (Kind k : Kind.values()) {
            OptionalInt nr = lib.syscall(k.syscall());
            if (nr.isPresent() && nr.getAsInt() >= 0) {
                m.put(nr.getAsInt(), k);
            }
        }
        return Map.copyOf(m);
    }
}
