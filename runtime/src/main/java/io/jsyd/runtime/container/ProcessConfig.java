package io.jsyd.runtime.container;

import io.jsyd.runtime.landlock.LandlockPlan;
import io.jsyd.runtime.seccomp.SeccompFilter;
import java.util.List;

/**
 * The container's process. Null fields are left as the runtime's own
 * (no umask change, no oom_score_adj, default scheduler, no terminal, no seccomp
 * filter, no Landlock, no tracer, the caller's session keyring ...).
 *
 * @param keyring the session keyring the process joins (null: it keeps the caller's)
 */
public record ProcessConfig(List<String> args, List<String> env, String cwd, long uid, long gid,
                            List<Long> additionalGids, Integer umask, Capabilities capabilities,
                            List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj,
                            Scheduler scheduler, Integer ioPriority, Long personality, CpuAffinity cpuAffinity,
                            Console console, SeccompFilter seccomp, SeccompFilter supervisor,
                            LandlockPlan landlock, SeccompFilter tracer, SessionKeyring keyring) {
    public ProcessConfig {
        if (supervisor != null && !supervisor.listener()) {
            throw new IllegalArgumentException("a supervisor filter must give a listener");
        }
        if (tracer != null && tracer.listener()) {
            throw new IllegalArgumentException("a tracer filter stops for a tracer, it gives no listener");
        }
        args = List.copyOf(args);
        env = List.copyOf(env);
        additionalGids = List.copyOf(additionalGids);
        rlimits = List.copyOf(rlimits);
    }

    /** A process that keeps the caller's session keyring. */
    public ProcessConfig(List<String> args, List<String> env, String cwd, long uid, long gid,
                         List<Long> additionalGids, Integer umask, Capabilities capabilities,
                         List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj,
                         Scheduler scheduler, Integer ioPriority, Long personality, CpuAffinity cpuAffinity,
                         Console console, SeccompFilter seccomp, SeccompFilter supervisor,
                         LandlockPlan landlock, SeccompFilter tracer) {
        this(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits, noNewPrivileges, oomScoreAdj,
                scheduler, ioPriority, personality, cpuAffinity, console, seccomp, supervisor, landlock, tracer, null);
    }

    /** The same process joining {@code k} as its session keyring (null: the caller's). */
    public ProcessConfig withKeyring(SessionKeyring k) {
        return new ProcessConfig(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits,
                noNewPrivileges, oomScoreAdj, scheduler, ioPriority, personality, cpuAffinity, console, seccomp,
                supervisor, landlock, tracer, k);
    }

    /** A process without Landlock or a tracer filter. */
    public ProcessConfig(List<String> args, List<String> env, String cwd, long uid, long gid,
                         List<Long> additionalGids, Integer umask, Capabilities capabilities,
                         List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj,
                         Scheduler scheduler, Integer ioPriority, Long personality, CpuAffinity cpuAffinity,
                         Console console, SeccompFilter seccomp, SeccompFilter supervisor) {
        this(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits, noNewPrivileges, oomScoreAdj,
                scheduler, ioPriority, personality, cpuAffinity, console, seccomp, supervisor, null, null);
    }

    /** A process without a supervisor filter. */
    public ProcessConfig(List<String> args, List<String> env, String cwd, long uid, long gid,
                         List<Long> additionalGids, Integer umask, Capabilities capabilities,
                         List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj,
                         Scheduler scheduler, Integer ioPriority, Long personality, CpuAffinity cpuAffinity,
                         Console console, SeccompFilter seccomp) {
        this(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits, noNewPrivileges, oomScoreAdj,
                scheduler, ioPriority, personality, cpuAffinity, console, seccomp, null);
    }

    /**
     * The same process with a second seccomp filter, loaded after {@code seccomp}
     * as the init's last step, whose listener goes to the policy's supervisor.
     */
    public ProcessConfig withSupervisor(SeccompFilter filter) {
        return new ProcessConfig(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits,
                noNewPrivileges, oomScoreAdj, scheduler, ioPriority, personality, cpuAffinity, console, seccomp, filter,
                landlock, tracer, keyring);
    }

    /**
     * The same process confined by Landlock ({@code plan}), applied by the init after
     * the pivot and before the seccomp filters (see InitPlanner for when exactly).
     */
    public ProcessConfig withLandlock(LandlockPlan plan) {
        return new ProcessConfig(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits,
                noNewPrivileges, oomScoreAdj, scheduler, ioPriority, personality, cpuAffinity, console, seccomp,
                supervisor, plan, tracer, keyring);
    }

    /**
     * The same process with the ptrace layer's filter (SECCOMP_RET_TRACE for the
     * syscalls it checks): the init stops at {@link SyncPoint#TRACE} to be seized,
     * then loads it.
     */
    public ProcessConfig withTracer(SeccompFilter filter) {
        return new ProcessConfig(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits,
                noNewPrivileges, oomScoreAdj, scheduler, ioPriority, personality, cpuAffinity, console, seccomp,
                supervisor, landlock, filter, keyring);
    }

    /** A process without affinity, terminal or seccomp filter. */
    public ProcessConfig(List<String> args, List<String> env, String cwd, long uid, long gid,
                         List<Long> additionalGids, Integer umask, Capabilities capabilities,
                         List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj,
                         Scheduler scheduler, Integer ioPriority, Long personality) {
        this(args, env, cwd, uid, gid, additionalGids, umask, capabilities, rlimits, noNewPrivileges, oomScoreAdj,
                scheduler, ioPriority, personality, null, null, null, null);
    }
}
