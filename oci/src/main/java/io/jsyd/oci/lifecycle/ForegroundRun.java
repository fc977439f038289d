package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.cli.Request;
import io.jsyd.hooks.ContainerHooks;
import io.jsyd.hooks.HookFailedException;
import io.jsyd.oci.convert.HookConverter;
import io.jsyd.oci.convert.ResourcesConverter;
import io.jsyd.oci.convert.SpecConverter;
import io.jsyd.oci.spec.LoadedSpec;
import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.SpecReader;
import io.jsyd.oci.spec.model.State;
import io.jsyd.oci.validate.SpecValidator;
import io.jsyd.oci.validate.ValidationReport;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.container.ContainerLauncher;
import io.jsyd.runtime.container.HostView;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.OpCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;

/**
 * `run` in the foreground: validate, convert, claim the id, start the container as
 * a child of this process, forward signals to it, wait, and remove everything it
 * made. The exit status is the container's (128+N when signal N killed it).
 * OCI hooks run at their points (ContainerHooks): prestart, createRuntime and the
 * init's createContainer and startContainer during the launch, poststart once the
 * process runs (a failure of any of these stops the container), and poststop after
 * everything is removed (it only warns), also after a failed start.
 */
public final class ForegroundRun {
    /**
     * @param keepFds fds above stderr the container inherits: $LISTEN_FDS plus --preserve-fds
     */
    /**
     * @param log    where sandbox decisions go (the global --log), or null for stderr
     * @param policy {@code --policy FILE}, or null
     */
    public record Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                          boolean subreaper, boolean systemdCgroup, Path log, Path policy, boolean noNewKeyring) {
        public Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                       boolean subreaper, boolean systemdCgroup) {
            this(root, id, bundle, noPivot, keepFds, pidFile, subreaper, systemdCgroup, null, null);
        }

        public Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                       boolean subreaper, boolean systemdCgroup, Path log, Path policy) {
            this(root, id, bundle, noPivot, keepFds, pidFile, subreaper, systemdCgroup, log, policy, false);
        }
    }

    /** How long the last output of a terminal may take once the container's init is gone. */
    private static final Duration CONSOLE_DRAIN = Duration.ofSeconds(2);

    private ForegroundRun() {
    }

    /** A bundle read, validated and converted: what create and run both start from. */
    record Prepared(LoadedSpec loaded, SpecConverter.Conversion conversion) {
    }

    /** @param noNewKeyring the init keeps the caller's session keyring (see {@link Keyrings}) */
    static Prepared prepare(Request request, String id, Path bundle, boolean noPivot, int keepFds,
                            boolean systemdCgroup, boolean noNewKeyring) throws OciException {
        LoadedSpec loaded = new SpecReader().readBundle(bundle);
        ValidationReport report = SpecValidator.validate(bundle, loaded.file(), loaded.spec());
        warn(request, report.warnings());
        if (!report.ok()) {
            throw new InvalidSpecException(report.errors());
        }
        ResourcesConverter.Driver driver = systemdCgroup
                ? new ResourcesConverter.Driver(true, Files.isDirectory(Path.of("/run/systemd/system")))
                : ResourcesConverter.Driver.CGROUPFS;
        SpecConverter.Conversion conversion = SpecConverter.convert(loaded.spec(),
                new SpecConverter.Options(id, bundle, loaded.file(), noPivot, keepFds, driver,
                        socketActivation(request)));
        warn(request, conversion.warnings());
        return new Prepared(loaded, new SpecConverter.Conversion(
                Keyrings.forInit(conversion.config(), noNewKeyring), conversion.warnings()));
    }

    public static int run(Request request, Options o) throws OciException {
        String id = ContainerId.check(o.id());
        Prepared prepared = prepare(request, id, o.bundle(), o.noPivot(), o.keepFds(), o.systemdCgroup(),
                o.noNewKeyring());
        LoadedSpec loaded = prepared.loaded();
        ContainerHooks hooks = HookConverter.convert(loaded.spec(), o.bundle());
        HookState hookState = HookState.of(loaded.spec(), id, o.bundle());
        Sandbox sandbox = Sandbox.load(id, loaded.spec(), loaded.file(), Optional.ofNullable(o.policy()), o.log(),
                request.err());
        SpecConverter.Conversion conversion;
        try {
            conversion = new SpecConverter.Conversion(sandbox.apply(prepared.conversion().config()),
                    prepared.conversion().warnings());
        } catch (OciException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
        StateDir state;
        try {
            state = StateDir.claim(o.root(), id);
        } catch (OciException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
        try {
            if (sandbox.policy().isPresent()) {
                // what `policy show` prints while the container runs
                io.jsyd.oci.supervise.PolicyRecord.write(state.path(), sandbox.policy().get());
            }
        } catch (OciException | RuntimeException e) {
            sandbox.close();
            state.close();
            throw e;
        }
        try {
            return runClaimed(request, o, id, conversion, loaded, hooks, hookState, sandbox, state);
        } finally {
            // the container is deleted (process, cgroup, state directory) whether it ran or failed
            // to start; poststop comes after that, its failures only warnings (runtime.md lifecycle)
            for (HookFailedException w : hooks.poststop(hookState.json(State.Status.STOPPED, 0))) {
                request.err().println("jsyd-oci: warning: container " + id + ": " + w.getMessage());
            }
        }
    }

    private static int runClaimed(Request request, Options o, String id, SpecConverter.Conversion conversion,
                                  LoadedSpec loaded, ContainerHooks hooks, HookState hookState, Sandbox sandbox,
                                  StateDir claimed) throws OciException {
        try (StateDir state = claimed; Sandbox policy = sandbox; InitStub stub = InitStub.load()) {
            if (o.subreaper()) {
                Processes.becomeSubreaper();
            }
            // refuses what this host's cgroups cannot do before anything is made
            CgroupManager cgroup = Cgroups.manager(conversion.config().cgroup());
            Long mountBase = Create.mountBase(conversion.config());
            String rootfs = conversion.config().rootfs().toString();
            int status;
            try {
                status = runInit(request, stub, conversion, cgroup, o,
                        SeccompAgent.handoff(loaded.spec(), id, o.bundle()), hooks, hookState, sandbox,
                        pid -> record(loaded, conversion, cgroup, o, id, state.path(), pid, mountBase));
            } catch (OciException | RuntimeException e) {
                try {
                    cgroup.destroy();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                try {
                    Create.detachMounts(rootfs, mountBase);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            try {
                // stragglers of a container without its own pid namespace die here
                cgroup.destroy();
            } catch (KernelException e) {
                request.err().println("jsyd-oci: warning: container " + id + ": " + e.getMessage());
            }
            try {
                Create.detachMounts(rootfs, mountBase);
            } catch (KernelException e) {
                request.err().println("jsyd-oci: warning: container " + id + ": " + e.getMessage());
            }
            return status;
        } catch (KernelException e) {
            throw new ContainerFailedException(id, e);
        } catch (HookFailedException e) {
            throw new ContainerFailedException(id, e);
        }
    }

    private static int runInit(Request request, InitStub stub, SpecConverter.Conversion conversion,
                               CgroupManager cgroup, Options o, ObjIntConsumer<Fd> seccompListener,
                               ContainerHooks hooks, HookState hookState, Sandbox sandbox, Recorder recorder)
            throws OciException {
        // the policy's exit action and its timeout end the container: the init first (with its own pid
        // namespace that is everyone), the cgroup's stragglers when it is removed
        IntConsumer end = pid -> Processes.signalIfAlive(pid, 9);
        Launched launched;
        try {
            // the state and the pid file exist before the container's own code runs, as runc's
            // run (create, then start) has them: a `state` or `exec` it prompts finds the container
            launched = new ContainerLauncher(stub, HostView.system()).launch(conversion.config(), cgroup,
                    seccompListener, sandbox.onListener(end), hooks.launchPoints(hookState), null, null,
                    sandbox.onTrace(end), pid -> {
                        try {
                            recorder.record(pid);
                            if (o.pidFile() != null) {
                                writePidFile(o.pidFile(), pid);
                            }
                        } catch (OciException e) {
                            throw new NotRecorded(e);
                        }
                    });
        } catch (NotRecorded e) {
            throw e.reason;
        }
        sandbox.launched(launched);
        // the seccomp agent has its own copy of the listener now
        for (int i = 0; i < launched.fds().size(); i++) {
            if (launched.fdSources().get(i) == OpCode.SECCOMP_LOAD) {
                launched.fds().get(i).close();
            }
        }
        int pid = launched.initPid();
        Fd master = launched.fdFrom(OpCode.CONSOLE).orElse(null);
        try (ConsoleRelay console = master == null ? null : ConsoleRelay.start(master, request);
             SignalForwarder forwarder = SignalForwarder.to(pid, console == null ? null : console::resize)) {
            sandbox.started(pid, end);
            // the user process runs; a poststart failure stops it (runtime.md lifecycle step 9),
            // the catch below kills it
            hooks.poststart(hookState.json(State.Status.RUNNING, pid));
            int status = sandbox.exitStatus(sandbox.waitFor(pid).exitCode());
            if (console != null) {
                console.drain(CONSOLE_DRAIN);
            }
            return status;
        } catch (InterruptedException e) {
            Processes.signalIfAlive(pid, 9);
            try {
                sandbox.waitFor(pid);
            } catch (InterruptedException again) {
                e.addSuppressed(again);
            }
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the container ran", e);
        } catch (RuntimeException e) {
            Processes.signalIfAlive(pid, 9);
            try {
                sandbox.waitFor(pid);
            } catch (InterruptedException again) {
                e.addSuppressed(again);
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /** Carries the recorder's error out of the launcher's callback, which aborts the launch. */
    private static final class NotRecorded extends RuntimeException {
        private final OciException reason;

        NotRecorded(OciException reason) {
            super(reason);
            this.reason = reason;
        }
    }

    /** Records the running container, so that `state`, `kill` and `list` see it as runc's do. */
    @FunctionalInterface
    private interface Recorder {
        void record(int pid) throws OciException;
    }

    private static void record(LoadedSpec loaded, SpecConverter.Conversion conversion, CgroupManager cgroup, Options o,
                               String id, Path dir, int pid, Long mountBase) throws OciException {
        Processes.StatLine stat = Processes.stat(pid);
        if (stat == null) {
            // it ended already: nothing to record, the wait reports it
            return;
        }
        io.jsyd.oci.state.StateStore store = new io.jsyd.oci.state.StateStore(o.root());
        try (io.jsyd.runtime.linux.FileLock lock = store.lock(id)) {
            // no hooks: this process runs them itself
            store.write(Create.record(loaded, conversion.config(), id, o.bundle(), pid, stat.startTime(), cgroup, dir,
                    null, java.util.Map.of(), mountBase));
        }
    }

    /**
     * systemd socket activation: the passed sockets reach the container as fds 3.., and
     * it learns of them the way systemd tells a service, with the init as LISTEN_PID (runc's way).
     */
    static List<String> socketActivation(Request request) {
        String fds = request.env().get("LISTEN_FDS");
        try {
            if (fds != null && Integer.parseInt(fds) > 0) {
                return List.of("LISTEN_FDS=" + Integer.parseInt(fds), "LISTEN_PID=1");
            }
        } catch (NumberFormatException e) {
            // the command refused it already; nothing to add
        }
        return List.of();
    }

    private static void warn(Request request, List<SpecProblem> warnings) {
        for (SpecProblem w : warnings) {
            request.err().println("jsyd-oci: warning: " + w.format());
        }
    }

    /** Written whole or not at all, as runc does: a reader never sees a partial pid. */
    static void writePidFile(Path file, int pid) throws OciIoException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Integer.toString(pid));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new OciIoException("write pid file", file, e);
        }
    }
}
