package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.OciIoException;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyMatcher;
import io.jsyd.runtime.supervisor.DecisionLog;
import io.jsyd.runtime.supervisor.NotifySupervisor;
import io.jsyd.runtime.supervisor.StartedDeadline;
import io.jsyd.runtime.trace.PtraceSupervisor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * A container's sandbox policy supervised in the process that created it and stays
 * its parent (the containerd shim): the notify pool of each supervised process's
 * filter, its ptrace tracer, and the timeout from `start`, with the decisions in
 * the container's sandbox log (ROOT/ID/sandbox.log, as under the per-root daemon).
 * One per container; the init and every exec'd process get a {@link Watch} each.
 */
public final class HostedSandbox implements AutoCloseable {
    private final String id;
    private final Policy policy;
    private final PrintStream log;
    private final DecisionLog decisions;
    /** Ends the whole container (the policy's exit action, the timeout), given its init's pid. */
    private final IntConsumer end;
    private volatile int initPid;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final StartedDeadline deadline;
    private PolicyMatcher matcher;
    private volatile Watch initWatch;

    private HostedSandbox(String id, Policy policy, PrintStream log, IntConsumer end) {
        this.id = id;
        this.policy = policy;
        this.log = log;
        this.decisions = new DecisionLog(log, id);
        this.end = end;
        this.deadline = policy.timeout().map(t -> new StartedDeadline(t, this::end, "jsyd-timeout-" + id))
                .orElse(null);
    }

    static HostedSandbox open(String id, Policy policy, Path logFile, IntConsumer end) throws OciIoException {
        try {
            return new HostedSandbox(id, policy, new PrintStream(new FileOutputStream(logFile.toFile(), true), true,
                    StandardCharsets.UTF_8), end);
        } catch (IOException e) {
            throw new OciIoException("open the sandbox log", logFile, e);
        }
    }

    public Policy policy() {
        return policy;
    }

    /** Whether the policy's ptrace checks are on: the supervised processes are then reaped by their tracers. */
    public boolean traced() {
        return policy.trace().needsTracer();
    }

    /** An exec'd process's config with the policy's filters and Landlock, as the init's got them. */
    ContainerConfig apply(ContainerConfig config) throws ContainerFailedException {
        // a Sandbox only plans here: it never starts anything, its notes go to our log
        Sandbox plan = Sandbox.of(id, Optional.of(policy), log);
        return plan.apply(config);
    }

    private void end() {
        int pid = initPid;
        if (pid != 0) {
            end.accept(pid);
        }
    }

    /** The container's init, once launched: what the exit action and the timeout end. */
    void init(int pid) {
        initPid = pid;
    }

    /** A new watch for one process of the container: the init (made by `create`), or an exec'd process. */
    Watch watch(boolean init) {
        Watch w = new Watch(init);
        watches.add(w);
        if (init) {
            initWatch = w;
        }
        return w;
    }

    /** The init's watch (see {@link Watch#tracedExit()}). */
    public Watch initWatch() {
        return initWatch;
    }

    /** The container's process runs (`start` returned): the timeout counts from now. */
    public void started() {
        if (deadline != null) {
            deadline.started();
        }
    }

    /** The status to report for the init: {@value io.jsyd.runtime.supervisor.Deadline#EXIT_STATUS} when the timeout ended it. */
    public int exitStatus(int status) {
        if (deadline != null) {
            boolean expired = deadline.expired();
            deadline.close();
            if (expired) {
                return io.jsyd.runtime.supervisor.Deadline.EXIT_STATUS;
            }
        }
        return status;
    }

    /** Whether one of this container's tracers follows {@code pid} (its exit and stops are that tracer's to reap). */
    public boolean traces(int pid) {
        for (Watch w : watches) {
            if (w.tracer != null && w.tracer.traces(pid)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (deadline != null) {
            deadline.close();
        }
        watches.forEach(Watch::close);
        log.close();
    }

    /**
     * The supervision of one process: the notify pool of its policy filter's
     * listener, and its tracer when the policy has ptrace checks.
     */
    public final class Watch implements AutoCloseable {
        private NotifySupervisor notify;
        private PtraceSupervisor tracer;
        private final boolean init;

        private Watch(boolean init) {
            this.init = init;
        }

        /** What the launcher calls with the policy filter's listener (the launcher closes its fd: we dup it). */
        void onListener(Fd fd, int pid) {
            synchronized (HostedSandbox.this) {
                if (matcher == null) {
                    matcher = policy.compile();
                }
            }
            if (init) {
                // the init's own filter: it ends the container before its launch returned
                initPid = pid;
            }
            notify = NotifySupervisor.start(fd.dupAtLeast(3), matcher, decisions, HostedSandbox.this::end,
                    NotifySupervisor.PoolSize.forThisMachine(), "jsyd-notify-" + id + "-" + pid, init ? pid : 0);
        }

        /** What the launcher calls when the process waits to be seized. */
        void onTrace(int pid) {
            if (init) {
                initPid = pid;
            }
            tracer = PtraceSupervisor.start(pid, policy, decisions, HostedSandbox.this::end,
                    "jsyd-ptrace-" + id + "-" + pid);
        }

        /**
         * The process's end as its tracer reaped it (128+N for signal N), or null when
         * it is not traced (the caller reaps it). Fails when the tracer failed: its
         * tracees were killed and the process is the caller's to reap again.
         */
        public CompletableFuture<Integer> tracedExit() {
            return tracer == null ? null : tracer.initExit().thenApply(Processes.WaitStatus::exitCode);
        }

        /** Stops supervising this process (after it exited). */
        @Override
        public void close() {
            watches.remove(this);
            if (tracer != null) {
                tracer.close();
            }
            if (notify != null) {
                notify.close();
            }
        }
    }
}
