package io.jsyd.oci.lifecycle;

import io.jsyd.hooks.ContainerHooks;
import io.jsyd.hooks.HookFailedException;
import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.convert.HookConverter;
import io.jsyd.oci.spec.LoadedSpec;
import io.jsyd.oci.spec.model.Hooks;
import io.jsyd.oci.spec.model.State;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.cgroup.CgroupFs;
import io.jsyd.runtime.cgroup.CgroupHost;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.container.ContainerLauncher;
import io.jsyd.runtime.container.HostView;
import io.jsyd.runtime.container.NamespaceKind;
import io.jsyd.runtime.container.RuntimeNsMounts;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Fifos;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.UnixSocket;
import io.jsyd.runtime.spawn.Checkpoint;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.ProcessParent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import io.jsyd.oci.supervise.PolicyRecord;
import io.jsyd.runtime.policy.Policy;

/**
 * `create`: the container's init is set up and waits on the exec fifo for `start`;
 * this process records it and exits. The init is this process's child (the stub
 * clones it with CLONE_PARENT), so when we exit the caller's subreaper (conmon,
 * containerd's shim) adopts and reaps it, as with runc.
 */
public final class Create {
    /**
     * @param policy       {@code --policy FILE}, or null
     * @param noNewKeyring the init keeps the caller's session keyring (see {@link Keyrings})
     */
    public record Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                          Path consoleSocket, boolean systemdCgroup, Path policy, boolean noNewKeyring) {
        public Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                       Path consoleSocket, boolean systemdCgroup) {
            this(root, id, bundle, noPivot, keepFds, pidFile, consoleSocket, systemdCgroup, null);
        }

        public Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                       Path consoleSocket, boolean systemdCgroup, Path policy) {
            this(root, id, bundle, noPivot, keepFds, pidFile, consoleSocket, systemdCgroup, policy, false);
        }
    }

    private static final int FIFO_MODE = 0622;

    private Create() {
    }

    /** Returns the init's pid once it waits for `start`. */
    public static int create(Request request, Options o) throws OciException {
        return create(request, o, null);
    }

    /**
     * As {@link #create(Request, Options)}, the init's stdio from {@code stdio} instead of
     * this process's (the containerd shim hosts many containers, each with its own fifos).
     */
    public static int create(Request request, Options o, io.jsyd.runtime.spawn.Stdio stdio) throws OciException {
        return create(request, o, stdio, null).pid();
    }

    /**
     * A container made by a process that stays its parent and supervises its policy
     * itself (the containerd shim): its init, and the supervision of its policy, empty
     * without one. The caller closes the sandbox once the container is gone.
     */
    public record Hosted(int pid, Optional<HostedSandbox> sandbox) {
    }

    /**
     * As {@link #create(Request, Options, io.jsyd.runtime.spawn.Stdio)}, the policy
     * supervised in this process (no daemon): notify pools, tracer and timeout in
     * the returned sandbox; {@code end} ends the container, given its init's pid
     * (the policy's exit action, the timeout).
     */
    public static Hosted createHosted(Request request, Options o, io.jsyd.runtime.spawn.Stdio stdio,
                                      java.util.function.IntConsumer end) throws OciException {
        return create(request, o, stdio, java.util.Objects.requireNonNull(end));
    }

    private static Hosted create(Request request, Options o, io.jsyd.runtime.spawn.Stdio stdio,
                                 java.util.function.IntConsumer hostedEnd) throws OciException {
        String id = ContainerId.check(o.id());
        ForegroundRun.Prepared prepared = ForegroundRun.prepare(request, id, o.bundle(), o.noPivot(), o.keepFds(),
                o.systemdCgroup(), o.noNewKeyring());
        // a bad policy fails here, before anything exists
        Optional<Policy> policy;
        ContainerConfig config;
        try (Sandbox sandbox = Sandbox.load(id, prepared.loaded().spec(), prepared.loaded().file(),
                Optional.ofNullable(o.policy()),
                null, request.err())) {
            policy = sandbox.policy();
            config = sandbox.apply(prepared.conversion().config());
        }
        boolean terminal = config.process().console() != null;
        // runc's words, which callers know
        if (terminal && o.consoleSocket() == null) {
            throw new UsageException("cannot allocate tty if runc will detach without setting console socket");
        }
        if (!terminal && o.consoleSocket() != null) {
            throw new UsageException("cannot use console socket if runc will not allocate tty");
        }
        ContainerHooks hooks = HookConverter.convert(prepared.loaded().spec(), o.bundle());
        HookState hookState = HookState.of(prepared.loaded().spec(), id, o.bundle());
        Checkpoint.reach("config converted");
        StateDir dir = StateDir.claim(o.root(), id);
        Checkpoint.reach("state directory claimed");
        try {
            return createClaimed(o, id, prepared, config, policy, stdio, hooks, hookState, dir, hostedEnd);
        } catch (OciException | RuntimeException e) {
            // the container is destroyed (init, cgroup, state directory) by now; poststop comes
            // after that and only warns (runtime.md lifecycle steps 12 and 13, as runc does)
            for (HookFailedException w : hooks.poststop(hookState.json(State.Status.STOPPED, 0))) {
                request.err().println("jsyd-oci: warning: container " + id + ": " + w.getMessage());
            }
            throw e;
        }
    }

    private static Hosted createClaimed(Options o, String id, ForegroundRun.Prepared prepared, ContainerConfig config,
                                     Optional<Policy> policy, io.jsyd.runtime.spawn.Stdio stdio, ContainerHooks hooks,
                                     HookState hookState, StateDir dir, java.util.function.IntConsumer hostedEnd)
            throws OciException {
        StateStore store = new StateStore(o.root());
        Hooks lasting = lastingHooks(prepared.loaded().spec().getHooks());
        boolean made = false;
        HostedSandbox hosted = null;
        try (FileLock lock = store.lock(id); InitStub stub = InitStub.load()) {
            Path fifo = dir.path().resolve(StateStore.EXEC_FIFO);
            Fifos.make(fifo, FIFO_MODE);
            Checkpoint.reach("exec fifo made");
            CgroupManager cgroup = config.cgroup() == null ? null
                    : Cgroups.manager(config.cgroup(), CgroupHost.system(ProcessParent.current().cgroupLines()),
                            CgroupFs.system());
            Long mountBase = mountBase(config);
            // Before anything is made: if this process is killed from here on, the record
            // tells `delete --force` which cgroup to empty and remove (and which mounts).
            store.write(record(prepared.loaded(), config, id, o.bundle(), 0, 0, cgroup, dir.path(), lasting,
                    Map.of(), mountBase));
            Checkpoint.reach("recorded as creating");
            if (policy.isPresent()) {
                PolicyRecord.write(dir.path(), policy.get());
            }
            DaemonHandoff supervised = new DaemonHandoff(o.root(), id, dir.path(), policy, cgroupDirs(cgroup), false);
            if (hostedEnd != null && policy.isPresent()) {
                // the caller (the containerd shim) supervises the policy itself: no daemon
                hosted = HostedSandbox.open(id, policy.get(),
                        dir.path().resolve(io.jsyd.oci.supervise.SupervisorPaths.SANDBOX_LOG), hostedEnd);
            }
            HostedSandbox.Watch watch = hosted == null ? null : hosted.watch(true);
            Launched launched;
            try {
                // prestart, createRuntime and the init's createContainer run during the launch;
                // startContainer is in the init's plan, after the exec fifo
                launched = new ContainerLauncher(stub, HostView.system()).launch(config, cgroup,
                        SeccompAgent.handoff(prepared.loaded().spec(), id, o.bundle()),
                        watch != null ? watch::onListener : supervised::handOff,
                        hooks.launchPoints(hookState), fifo, stdio, watch != null ? watch::onTrace : supervised::trace);
            } catch (RuntimeException e) {
                supervised.close();
                destroyQuietly(cgroup, e);
                detachQuietly(config, mountBase, e);
                throw e;
            }
            int pid = launched.initPid();
            Checkpoint.reach("init waits for start");
            try {
                if (hosted != null) {
                    hosted.init(pid);
                } else {
                    // a policy with a timeout and no confined category has no listener to hand over
                    supervised.handOffIfStill(pid);
                }
                handOver(launched, o.consoleSocket());
                Processes.StatLine stat = Processes.stat(pid);
                if (stat == null) {
                    throw new IllegalStateException("the container init " + pid + " is gone before create finished");
                }
                store.write(record(prepared.loaded(), config, id, o.bundle(), pid, stat.startTime(), cgroup,
                        dir.path(), lasting, afterStart(launched.plan()), mountBase));
                Checkpoint.reach("recorded as created");
                if (o.pidFile() != null) {
                    ForegroundRun.writePidFile(o.pidFile(), pid);
                    Checkpoint.reach("pid file written");
                }
            } catch (OciException | RuntimeException e) {
                supervised.close();
                Processes.signalIfAlive(pid, 9);
                io.jsyd.runtime.spawn.ProcessParent.current().waitFor(pid);
                destroyQuietly(cgroup, e);
                detachQuietly(config, mountBase, e);
                throw e;
            }
            made = true;
            return new Hosted(pid, Optional.ofNullable(hosted));
        } catch (KernelException e) {
            throw new ContainerFailedException(id, e);
        } catch (HookFailedException e) {
            throw new ContainerFailedException(id, e);
        } finally {
            if (!made) {
                if (hosted != null) {
                    hosted.close();
                }
                dir.close();
            }
        }
    }

    /** What `start` and `delete` run: the config's poststart and poststop hooks; null when it has none. */
    private static Hooks lastingHooks(Hooks h) {
        if (h == null || (empty(h.getPoststart()) && empty(h.getPoststop()))) {
            return null;
        }
        Hooks kept = new Hooks();
        kept.setPoststart(h.getPoststart());
        kept.setPoststop(h.getPoststop());
        return kept;
    }

    private static boolean empty(java.util.List<?> l) {
        return l == null || l.isEmpty();
    }

    /**
     * The origins of the ops the init runs once `start` opened the exec fifo (the
     * startContainer hooks among them), by op index: a failure there reaches `start`
     * through the fifo with only the op's index.
     */
    static Map<String, String> afterStart(Plan plan) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean after = false;
        for (int i = 0; i < plan.ops().size(); i++) {
            after |= plan.ops().get(i).code() == OpCode.WAIT_FIFO;
            if (after && !plan.ops().get(i).origin().isEmpty()) {
                out.put(Integer.toString(i), plan.ops().get(i).origin());
            }
        }
        return out;
    }

    private static Map<String, String> cgroupDirs(CgroupManager cgroup) {
        Map<String, String> dirs = new LinkedHashMap<>();
        if (cgroup != null) {
            cgroup.paths().forEach((k, v) -> dirs.put(k, v.toString()));
        }
        return dirs;
    }

    private static void destroyQuietly(CgroupManager cgroup, Exception cause) {
        if (cgroup == null) {
            return;
        }
        try {
            cgroup.destroy();
        } catch (RuntimeException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }

    /**
     * For a container without a mount namespace of its own (it makes its mounts in the
     * runtime's): the mount its rootfs bind will be stacked on (RuntimeNsMounts); else null.
     */
    static Long mountBase(ContainerConfig config) {
        return config.namespace(NamespaceKind.MOUNT) == null ? RuntimeNsMounts.base(config.rootfs()) : null;
    }

    /** Takes the mounts of a container in the runtime's mount namespace off the host (null base: none). */
    static void detachMounts(String rootfs, Long base) {
        if (base != null) {
            RuntimeNsMounts.detach(Path.of(rootfs), base);
        }
    }

    private static void detachQuietly(ContainerConfig config, Long base, Exception cause) {
        try {
            detachMounts(config.rootfs().toString(), base);
        } catch (RuntimeException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }

    /** The seccomp agent has its listener already; the terminal's master goes to the console socket. */
    private static void handOver(Launched launched, Path consoleSocket) {
        for (int i = 0; i < launched.fds().size(); i++) {
            Fd fd = launched.fds().get(i);
            if (launched.fdSources().get(i) == OpCode.CONSOLE && consoleSocket != null) {
                try (UnixSocket s = UnixSocket.connect(consoleSocket)) {
                    s.sendWithFd("/dev/ptmx".getBytes(StandardCharsets.UTF_8), fd);
                }
            }
            fd.close();
        }
    }

    /**
     * @param hooks       the hooks `start` and `delete` run (null: none)
     * @param afterStart  see {@link #afterStart}
     * @param mountBase   see {@link #mountBase}
     */
    static ContainerRecord record(LoadedSpec loaded, ContainerConfig config, String id, Path bundle, int pid,
                                  long startTime, CgroupManager cgroup, Path dir, Hooks hooks,
                                  Map<String, String> afterStart, Long mountBase) throws OciIoException {
        Map<String, String> paths = new LinkedHashMap<>();
        if (cgroup != null) {
            cgroup.paths().forEach((k, v) -> paths.put(k, v.toString()));
        }
        String owner;
        try {
            owner = Files.getOwner(dir).getName();
        } catch (IOException e) {
            throw new OciIoException("read the owner of", dir, e);
        }
        return new ContainerRecord(loaded.spec().getOciVersion(), id, pid, startTime,
                bundle.toAbsolutePath().toString(), config.rootfs().toString(), Instant.now().toString(), owner,
                loaded.spec().getAnnotations() == null ? Map.of() : loaded.spec().getAnnotations(),
                paths, loaded.spec().getLinux() == null ? null : loaded.spec().getLinux().getResources(), hooks,
                afterStart, config.process().keyring() == null, mountBase);
    }
}
