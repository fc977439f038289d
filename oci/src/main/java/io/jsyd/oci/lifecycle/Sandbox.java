package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.InvalidPolicyException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.convert.PolicySource;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.LandlockException;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.landlock.LandlockPlan;
import io.jsyd.runtime.landlock.LandlockPlanner;
import io.jsyd.runtime.landlock.LandlockProbe;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyMatcher;
import io.jsyd.runtime.seccomp.SeccompCompiler;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.supervisor.DecisionLog;
import io.jsyd.runtime.supervisor.Deadline;
import io.jsyd.runtime.supervisor.NotifySupervisor;
import io.jsyd.runtime.supervisor.SupervisedSyscalls;
import io.jsyd.runtime.container.ProcessConfig;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.trace.PtraceSupervisor;
import io.jsyd.runtime.trace.TraceSyscalls;
import java.util.concurrent.ExecutionException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;

/**
 * A container's sandbox policy in the foreground host: where it comes from, the
 * filter and Landlock plan it adds to the config, and, while the container runs, the notify
 * supervisor and the timeout. Without a policy it does nothing.
 */
final class Sandbox implements AutoCloseable {
    private final String id;
    private final Optional<Policy> policy;
    /** Compiled when a listener arrives: `create` hands the policy on and never matches itself. */
    private PolicyMatcher matcher;
    private final PrintStream log;
    private final boolean ownsLog;
    private final DecisionLog decisions;
    private NotifySupervisor supervisor;
    private Deadline deadline;
    private PtraceSupervisor tracer;

    private Sandbox(String id, Optional<Policy> policy, PrintStream log, boolean ownsLog) {
        this.id = id;
        this.policy = policy;
        this.log = log;
        this.ownsLog = ownsLog;
        this.decisions = new DecisionLog(log, id);
    }

    /** A sandbox for {@code policy} whose decisions go to {@code log}, which the caller keeps and closes. */
    static Sandbox of(String id, Optional<Policy> policy, PrintStream log) {
        return new Sandbox(id, policy, log, false);
    }

    /**
     * Reads the policy from the config's annotations and the host's profiles
     * ({@link PolicySource}); errors name the annotation or file and the line.
     *
     * @param policyFile {@code --policy FILE}
     * @param logFile    where decisions go (the global --log), or null for stderr
     */
    static Sandbox load(String id, Spec spec, Path configFile, Optional<Path> policyFile, Path logFile,
            PrintStream stderr)
            throws InvalidPolicyException, OciIoException {
        Optional<Policy> policy = PolicySource.load(PolicySource.Inputs.of(spec, configFile, policyFile,
                Path.of(PolicySource.DEFAULT_PROFILE_DIR)));
        if (policy.isEmpty() || logFile == null) {
            return new Sandbox(id, policy, stderr, false);
        }
        try {
            return new Sandbox(id, policy,
                    new PrintStream(new FileOutputStream(logFile.toFile(), true), true, StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new OciIoException("open the log", logFile, e);
        }
    }

    /**
     * The policy a container was created with (its state directory's record), for a
     * process `exec` starts in it; what applying it notes goes to {@code log}, which
     * the sandbox then owns.
     */
    static Sandbox recorded(String id, Optional<Policy> policy, PrintStream log) {
        return new Sandbox(id, policy, log, true);
    }

    /** The policy, when one applies. */
    Optional<Policy> policy() {
        return policy;
    }

    /** Whether a policy (annotations, host profiles) applies to this config at all. */
    static boolean applies(Spec spec, Path configFile) throws InvalidPolicyException, OciIoException {
        return PolicySource.load(PolicySource.Inputs.of(spec, configFile, Optional.empty(),
                Path.of(PolicySource.DEFAULT_PROFILE_DIR))).isPresent();
    }

    /**
     * The config with the supervisor's filter when the policy confines a category,
     * the tracer's when it has a ptrace check on, and with Landlock when it turns it
     * on: planned here for this kernel's ABI, what best effort drops logged now, a
     * strict policy this kernel cannot apply refused.
     */
    ContainerConfig apply(ContainerConfig config) throws ContainerFailedException {
        return apply(config, LandlockProbe.system());
    }

    ContainerConfig apply(ContainerConfig config, LandlockProbe kernel) throws ContainerFailedException {
        if (policy.isEmpty()) {
            return config;
        }
        ContainerConfig result = config;
        if (!policy.get().sandboxed().isEmpty()) {
            var filter = SeccompCompiler.system().compile(SupervisedSyscalls.program(policy.get())).filter();
            result = result.withProcess(result.process().withSupervisor(filter));
        }
        if (policy.get().trace().needsTracer()) {
            var filter = SeccompCompiler.system()
                    .compile(TraceSyscalls.program(policy.get().trace(), policy.get().limits())).filter();
            result = result.withProcess(result.process().withTracer(filter));
        }
        if (policy.get().landlock().on()) {
            LandlockPlan plan;
            try {
                plan = LandlockPlanner.plan(policy.get().landlock(), kernel.probe());
            } catch (LandlockException e) {
                throw new ContainerFailedException(id, e);
            }
            plan.notes().forEach(decisions::landlock);
            result = result.withProcess(result.process().withLandlock(plan));
        }
        return result;
    }

    /** Logs what the init skipped of the plan (best effort: Landlock rule paths missing in the container). */
    void launched(Launched launched) {
        launched.notes().forEach(decisions::landlock);
    }

    /**
     * What the launcher calls when the init waits to be traced: the ptrace layer
     * seizes it on a thread of its own.
     *
     * @param end ends the container (the {@code exit} action), given the init's pid
     */
    IntConsumer onTrace(IntConsumer end) {
        return pid -> {
            if (policy.isEmpty()) {
                throw new IllegalStateException("an init waiting to be traced without a policy");
            }
            tracer = PtraceSupervisor.start(pid, policy.get(), decisions, () -> end.accept(pid),
                    "jsyd-ptrace-" + id);
        };
    }

    /**
     * Waits for the init to end. A traced init is reaped by its tracer, so its status
     * comes from there; if the tracer failed, its tracees were killed and the init is
     * this process's child again.
     */
    Processes.WaitStatus waitFor(int pid) throws InterruptedException {
        if (tracer == null) {
            return Processes.waitFor(pid);
        }
        try {
            return tracer.initExit().get();
        } catch (ExecutionException e) {
            log.println("jsyd-oci: container " + id + ": the ptrace layer failed, the container was killed: "
                    + e.getCause());
            tracer.close();
            return Processes.waitFor(pid);
        }
    }

    /**
     * What the launcher calls with the supervisor filter's listener.
     *
     * @param end ends the container (the {@code exit} action), given the init's pid
     */
    ObjIntConsumer<Fd> onListener(IntConsumer end) {
        return (fd, pid) -> {
            if (policy.isEmpty()) {
                throw new IllegalStateException("a supervisor listener without a policy");
            }
            matcher = policy.get().compile();
            supervisor = NotifySupervisor.start(fd.dupAtLeast(3), matcher, decisions,
                    () -> end.accept(pid), NotifySupervisor.PoolSize.forThisMachine(), "jsyd-notify-" + id);
        };
    }

    /** Starts the policy's timeout, if it has one, once the container runs. */
    void started(int initPid, IntConsumer end) {
        policy.flatMap(Policy::timeout).ifPresent(t ->
                deadline = Deadline.start(t, () -> end.accept(initPid), "jsyd-timeout-" + id));
    }

    /** The status to report: {@value Deadline#EXIT_STATUS} when the timeout ended the container. */
    int exitStatus(int status) {
        if (deadline != null) {
            deadline.close();
            if (deadline.expired()) {
                return Deadline.EXIT_STATUS;
            }
        }
        return status;
    }

    @Override
    public void close() {
        if (deadline != null) {
            deadline.close();
        }
        if (tracer != null) {
            tracer.close();
        }
        if (supervisor != null) {
            supervisor.close();
        }
        if (ownsLog) {
            log.close();
        }
    }
}
