package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.spec.LoadedSpec;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.container.ContainerLauncher;
import io.jsyd.runtime.container.HostView;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Fifos;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.UnixSocket;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.OpCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import io.jsyd.oci.supervise.Handoff;
import io.jsyd.oci.supervise.PolicyRecord;
import io.jsyd.oci.supervise.SupervisorClient;
import io.jsyd.oci.supervise.SupervisorPaths;
import io.jsyd.runtime.linux.Pidfd;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyWire;

/**
 * `create`: the container's init is set up and waits on the exec fifo for `start`;
 * this process records it and exits. The init is this process's child (the stub
 * clones it with CLONE_PARENT), so when we exit the caller's subreaper (conmon,
 * containerd's shim) adopts and reaps it, as with runc.
 */
public final class Create {
    /** @param policy {@code --policy FILE}, or null */
    public record Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                          Path consoleSocket, boolean systemdCgroup, Path policy) {
        public Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                       Path consoleSocket, boolean systemdCgroup) {
            this(root, id, bundle, noPivot, keepFds, pidFile, consoleSocket, systemdCgroup, null);
        }
    }

    private static final int FIFO_MODE = 0622;

    private Create() {
    }

    /**
     * Hooks are carried out by `run` so far; create/start has no place for
     * poststart/poststop yet. Refused, never ignored.
     */
    private static void refuseWhatOnlyRunDoes(ForegroundRun.Prepared prepared) throws OciException {
        var spec = prepared.loaded().spec();
        Path file = prepared.loaded().file();
        var h = spec.getHooks();
        if (h != null && java.util.stream.Stream.of(h.getPrestart(), h.getCreateRuntime(), h.getCreateContainer(),
                h.getStartContainer(), h.getPoststart(), h.getPoststop()).anyMatch(l -> l != null && !l.isEmpty())) {
            throw new io.jsyd.oci.InvalidSpecException(java.util.List.of(new io.jsyd.oci.spec.SpecProblem(file,
                    "$.hooks", "hooks run under `jsyd-oci run` only so far; create/start does not run them yet")));
        }
    }

    /** Returns the init's pid once it waits for `start`. */
    public static int create(Request request, Options o) throws OciException {
        String id = ContainerId.check(o.id());
        ForegroundRun.Prepared prepared = ForegroundRun.prepare(request, id, o.bundle(), o.noPivot(), o.keepFds(),
                o.systemdCgroup());
        refuseWhatOnlyRunDoes(prepared);
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
        StateStore store = new StateStore(o.root());
        StateDir dir = StateDir.claim(o.root(), id);
        boolean made = false;
        try (FileLock lock = store.lock(id); InitStub stub = InitStub.load()) {
            Path fifo = dir.path().resolve(StateStore.EXEC_FIFO);
            Fifos.make(fifo, FIFO_MODE);
            CgroupManager cgroup = config.cgroup() == null ? null : Cgroups.manager(config.cgroup());
            // Before anything is made: if this process is killed from here on, the record
            // tells `delete --force` which cgroup to empty and remove.
            store.write(record(prepared.loaded(), config, id, o.bundle(), 0, 0, cgroup, dir.path()));
            if (policy.isPresent()) {
                PolicyRecord.write(dir.path(), policy.get());
            }
            Supervised supervised = new Supervised(o.root(), id, dir.path(), policy, cgroup);
            Launched launched;
            try {
                launched = new ContainerLauncher(stub, HostView.system()).launch(config, cgroup,
                        SeccompAgent.handoff(prepared.loaded().spec(), id, o.bundle()), supervised::handOff,
                        io.jsyd.runtime.container.HookPoints.NONE, fifo);
            } catch (RuntimeException e) {
                destroyQuietly(cgroup, e);
                throw e;
            }
            int pid = launched.initPid();
            try {
                // a policy with a timeout and no confined category has no listener to hand over
                supervised.handOffIfStill(pid);
                handOver(launched, o.consoleSocket());
                Processes.StatLine stat = Processes.stat(pid);
                if (stat == null) {
                    throw new IllegalStateException("the container init " + pid + " is gone before create finished");
                }
                store.write(record(prepared.loaded(), config, id, o.bundle(), pid, stat.startTime(), cgroup, dir.path()));
                if (o.pidFile() != null) {
                    ForegroundRun.writePidFile(o.pidFile(), pid);
                }
            } catch (OciException | RuntimeException e) {
                Processes.signalIfAlive(pid, 9);
                Processes.waitFor(pid);
                destroyQuietly(cgroup, e);
                throw e;
            }
            made = true;
            return pid;
        } catch (KernelException e) {
            throw new ContainerFailedException(id, e);
        } finally {
            if (!made) {
                dir.close();
            }
        }
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

    static ContainerRecord record(LoadedSpec loaded, ContainerConfig config, String id, Path bundle, int pid,
                                          long startTime, CgroupManager cgroup, Path dir) throws OciIoException {
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
                paths, loaded.spec().getLinux() == null ? null : loaded.spec().getLinux().getResources());
    }

    /**
     * A policy that needs live supervision (a confined category, a timeout) goes to
     * the supervisor daemon of the --root: the listener as soon as the init sends
     * it (the init's next calls wait for the daemon's answers), or, with a timeout
     * alone, once the init waits for `start`. The init stays our child, so its pid
     * cannot be reused while we open its pidfd.
     */
    private static final class Supervised {
        private final SupervisorPaths paths;
        private final String id;
        private final Path stateDir;
        private final Optional<Policy> policy;
        private final CgroupManager cgroup;
        private boolean done;

        Supervised(Path root, String id, Path stateDir, Optional<Policy> policy, CgroupManager cgroup) {
            this.paths = new SupervisorPaths(root);
            this.id = id;
            this.stateDir = stateDir;
            this.policy = policy;
            this.cgroup = cgroup;
        }

        boolean needed() {
            return policy.isPresent() && (!policy.get().sandboxed().isEmpty() || policy.get().timeout().isPresent());
        }

        void handOff(Fd listener, int initPid) {
            if (!needed()) {
                throw new IllegalStateException("a supervisor listener without a policy");
            }
            send(listener, initPid);
        }

        void handOffIfStill(int initPid) {
            if (needed() && !done) {
                if (!policy.get().sandboxed().isEmpty()) {
                    // never hand over a confining policy without its listener: nothing would confine
                    throw new IllegalStateException("the container init " + initPid
                            + " loaded no supervisor filter before waiting for start");
                }
                send(null, initPid);
            }
        }

        private void send(Fd listener, int initPid) {
            Processes.StatLine stat = Processes.stat(initPid);
            if (stat == null) {
                throw new IllegalStateException("the container init " + initPid + " is gone before its hand-off");
            }
            Map<String, String> dirs = new LinkedHashMap<>();
            if (cgroup != null) {
                cgroup.paths().forEach((k, v) -> dirs.put(k, v.toString()));
            }
            PolicyWire.Encoded wire = PolicyWire.encode(policy.orElseThrow());
            Handoff h = new Handoff(id, stateDir.toAbsolutePath().toString(), initPid, stat.startTime(), wire.text(),
                    wire.ruleOrigins(), wire.lockedAt().orElse(null), dirs, listener != null);
            try (Pidfd init = Pidfd.open(initPid)) {
                SupervisorClient.handOff(paths, h, init, listener);
            } catch (IOException e) {
                throw new IllegalStateException("hand container " + id + " to its supervisor: " + e.getMessage(), e);
            }
            done = true;
        }
    }
}
