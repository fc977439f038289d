package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.CPUAffinity;
import io.jsyd.oci.spec.model.IOPriority;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.Scheduler;
import io.jsyd.oci.spec.model.SchedulerPolicy;

/**
 * process.scheduler, process.ioPriority and process.execCPUAffinity: the rules of
 * runc's validator plus what sched_setattr(2) refuses with EINVAL.
 */
final class SchedulingChecks {
    /** sched_setattr(2): a SCHED_DEADLINE runtime below 2^10 ns is refused. */
    static final long MIN_DEADLINE_RUNTIME = 1024;

    private SchedulingChecks() {
    }

    static void scheduler(Context c, Problems out) {
        Process p = c.spec().getProcess();
        Scheduler s = p == null ? null : p.getScheduler();
        if (s == null || s.getPolicy() == null) {
            return;
        }
        SchedulerPolicy policy = s.getPolicy();
        String base = "$.process.scheduler";
        if (policy == SchedulerPolicy.SCHED_ISO) {
            out.error(base + ".policy", "SCHED_ISO is reserved but not implemented by Linux;"
                    + " sched_setattr fails with EINVAL");
        }
        long nice = Json.value(s.getNice());
        if ((policy == SchedulerPolicy.SCHED_OTHER || policy == SchedulerPolicy.SCHED_BATCH)
                && (nice < -20 || nice > 19)) {
            out.error(base + ".nice", nice + " is outside -20..19, the nice range of " + policy);
        }
        long priority = Json.value(s.getPriority());
        boolean realtime = policy == SchedulerPolicy.SCHED_FIFO || policy == SchedulerPolicy.SCHED_RR;
        if (realtime && (priority < 1 || priority > 99)) {
            out.error(base + ".priority", priority + " is outside 1..99, the static priority range of " + policy);
        } else if (!realtime && priority != 0) {
            out.error(base + ".priority", "is " + priority
                    + " but only SCHED_FIFO and SCHED_RR use a static priority; " + policy + " needs 0");
        }
        deadline(s, policy, base, out);
    }

    private static void deadline(Scheduler s, SchedulerPolicy policy, String base, Problems out) {
        long runtime = Json.value(s.getRuntime());
        long deadline = Json.value(s.getDeadline());
        long period = Json.value(s.getPeriod());
        if (policy != SchedulerPolicy.SCHED_DEADLINE) {
            if (runtime != 0 || deadline != 0 || period != 0) {
                String field = runtime != 0 ? "runtime" : deadline != 0 ? "deadline" : "period";
                out.error(base + "." + field, "is set but only SCHED_DEADLINE uses runtime, deadline and period");
            }
            return;
        }
        String order = "; SCHED_DEADLINE needs runtime <= deadline <= period";
        if (deadline == 0) {
            out.error(base + ".deadline", "is 0 or missing; SCHED_DEADLINE needs a deadline");
        } else if (Long.compareUnsigned(runtime, deadline) > 0) {
            out.error(base + ".runtime", Long.toUnsignedString(runtime) + " is above the deadline "
                    + Long.toUnsignedString(deadline) + order);
        }
        if (Long.compareUnsigned(runtime, MIN_DEADLINE_RUNTIME) < 0) {
            out.error(base + ".runtime", runtime + " ns is below " + MIN_DEADLINE_RUNTIME
                    + " ns, the shortest SCHED_DEADLINE runtime");
        }
        if (period != 0 && Long.compareUnsigned(period, deadline) < 0) {
            out.error(base + ".period", Long.toUnsignedString(period) + " is below the deadline "
                    + Long.toUnsignedString(deadline) + order);
        }
    }

    static void ioPriority(Context c, Problems out) {
        Process p = c.spec().getProcess();
        IOPriority io = p == null ? null : p.getIoPriority();
        if (io == null || io.getPriority() == null) {
            return;
        }
        long priority = io.getPriority();
        if (priority < 0 || priority > 7) {
            out.error("$.process.ioPriority.priority", priority + " is outside 0..7, the levels of an I/O class");
        }
    }

    static void execCpuAffinity(Context c, Problems out) {
        Process p = c.spec().getProcess();
        CPUAffinity affinity = p == null ? null : p.getExecCPUAffinity();
        if (affinity == null) {
            return;
        }
        cpuList("$.process.execCPUAffinity.initial", affinity.getInitial(), out);
        cpuList("$.process.execCPUAffinity.final", affinity.getFinal(), out);
    }

    private static void cpuList(String at, String text, Problems out) {
        String problem = text == null ? null : IdList.problem(text);
        if (problem != null) {
            out.error(at, Json.quote(text) + " is not a CPU list like 0-3,7: " + problem);
        }
    }
}
