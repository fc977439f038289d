package io.jsyd.shim.task;

import com.google.protobuf.Empty;
import com.google.protobuf.MessageLite;
import io.jsyd.oci.ConflictException;
import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.NotImplementedException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.BuildInfo;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.lifecycle.Create;
import io.jsyd.oci.lifecycle.Delete;
import io.jsyd.oci.lifecycle.Exec;
import io.jsyd.oci.lifecycle.HostedSandbox;
import io.jsyd.oci.lifecycle.Kill;
import io.jsyd.oci.lifecycle.Pause;
import io.jsyd.oci.lifecycle.Start;
import io.jsyd.oci.state.StateStore;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.shim.proto.events.TaskCreate;
import io.jsyd.shim.proto.events.TaskDelete;
import io.jsyd.shim.proto.events.TaskExecAdded;
import io.jsyd.shim.proto.events.TaskExecStarted;
import io.jsyd.shim.proto.events.TaskExit;
import io.jsyd.shim.proto.events.TaskIO;
import io.jsyd.shim.proto.events.TaskOOM;
import io.jsyd.shim.proto.events.TaskPaused;
import io.jsyd.shim.proto.events.TaskResumed;
import io.jsyd.shim.proto.events.TaskStart;
import io.jsyd.shim.proto.task.CloseIORequest;
import io.jsyd.shim.proto.task.ConnectResponse;
import io.jsyd.shim.proto.task.CreateTaskRequest;
import io.jsyd.shim.proto.task.CreateTaskResponse;
import io.jsyd.shim.proto.task.DeleteRequest;
import io.jsyd.shim.proto.task.DeleteResponse;
import io.jsyd.shim.proto.task.ExecProcessRequest;
import io.jsyd.shim.proto.task.KillRequest;
import io.jsyd.shim.proto.task.PauseRequest;
import io.jsyd.shim.proto.task.PidsRequest;
import io.jsyd.shim.proto.task.PidsResponse;
import io.jsyd.shim.proto.task.ResumeRequest;
import io.jsyd.shim.proto.task.ShutdownRequest;
import io.jsyd.shim.proto.task.StartRequest;
import io.jsyd.shim.proto.task.StartResponse;
import io.jsyd.shim.proto.task.StateRequest;
import io.jsyd.shim.proto.task.StateResponse;
import io.jsyd.shim.proto.task.WaitRequest;
import io.jsyd.shim.proto.task.WaitResponse;
import io.jsyd.shim.proto.types.ProcessInfo;
import io.jsyd.shim.proto.types.Status;
import io.jsyd.shim.ttrpc.Code;
import io.jsyd.shim.ttrpc.Service;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * containerd.task.v2.Task for the containers of one pod, all in this JVM: each is
 * created and started with the front end's lifecycle code in-process, so its init
 * is a child of this process; the reaper reports the exits.
 */
public final class TaskService implements Service {
    public static final String NAME = "containerd.task.v2.Task";
    /** How long Delete waits for a killed, never started init to be reaped. */
    private static final long DEATH_WAIT_SECONDS = 10;
    /** The exit status reported for an exec'd process deleted without having run: nothing it did, 255. */
    private static final int NEVER_RAN = 255;

    private final Path root;
    private final Path work;
    private final Reaper reaper;
    private final Publisher events;
    private final PrintStream log;
    private final Runnable onShutdown;
    private final Map<String, ShimContainer> containers = new ConcurrentHashMap<>();
    /** The sandboxes this process supervises, from the moment their container exists. */
    private final java.util.Set<HostedSandbox> sandboxes = ConcurrentHashMap.newKeySet();
    private final OomMonitor oom;

    /**
     * @param root       the jsyd-oci state root of this shim's containers
     * @param onShutdown called once Shutdown finds no container left
     */
    public TaskService(Path root, Reaper reaper, Publisher events, PrintStream log, Runnable onShutdown) {
        this.root = root;
        this.work = root.resolveSibling(root.getFileName() + ".exec");
        this.reaper = reaper;
        this.events = events;
        this.log = log;
        this.onShutdown = onShutdown;
        this.oom = new OomMonitor(log);
        reaper.leaveTraced(this::traced);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Method method(String method) {
        return switch (method) {
            case "Create" -> (p, md) -> create(CreateTaskRequest.parseFrom(p));
            case "Start" -> (p, md) -> start(StartRequest.parseFrom(p));
            case "State" -> (p, md) -> state(StateRequest.parseFrom(p));
            case "Wait" -> (p, md) -> await(WaitRequest.parseFrom(p));
            case "Kill" -> (p, md) -> kill(KillRequest.parseFrom(p));
            case "Delete" -> (p, md) -> delete(DeleteRequest.parseFrom(p));
            case "Exec" -> (p, md) -> exec(ExecProcessRequest.parseFrom(p));
            case "Pids" -> (p, md) -> pids(PidsRequest.parseFrom(p));
            case "Pause" -> (p, md) -> pause(PauseRequest.parseFrom(p).getId(), true);
            case "Resume" -> (p, md) -> pause(ResumeRequest.parseFrom(p).getId(), false);
            case "CloseIO" -> (p, md) -> closeIo(CloseIORequest.parseFrom(p));
            case "Connect" -> (p, md) -> connect(io.jsyd.shim.proto.task.ConnectRequest.parseFrom(p).getId());
            case "Shutdown" -> (p, md) -> shutdown(ShutdownRequest.parseFrom(p));
            case "Checkpoint" -> (p, md) -> {
                throw new TtrpcException(Code.UNIMPLEMENTED,
                        "checkpoint is not supported by containerd-shim-jsyd-v2");
            };
            case "ResizePty" -> (p, md) -> resize(io.jsyd.shim.proto.task.ResizePtyRequest.parseFrom(p));
            case "Update" -> (p, md) -> update(io.jsyd.shim.proto.task.UpdateTaskRequest.parseFrom(p));
            case "Stats" -> (p, md) -> stats(io.jsyd.shim.proto.task.StatsRequest.parseFrom(p).getId());
            default -> null;
        };
    }

    private Request request(Path cwd) {
        return new Request(List.of(), Map.of(), cwd, InputStream.nullInputStream(), log, log);
    }

    private ShimContainer container(String id) throws TtrpcException {
        ShimContainer c = containers.get(id);
        if (c == null) {
            throw new TtrpcException(Code.NOT_FOUND, "container " + id + ": not found");
        }
        return c;
    }

    private ShimProcess process(String id, String execId) throws TtrpcException {
        ShimContainer c = container(id);
        if (execId.isEmpty()) {
            return c.init;
        }
        ShimProcess p = c.execs.get(execId);
        if (p == null) {
            throw new TtrpcException(Code.NOT_FOUND, "process " + execId + " of container " + id + ": not found");
        }
        return p;
    }

    /** The front end's errors as containerd's errdefs expect them. */
    static TtrpcException failure(String what, OciException e) {
        Code code = switch (e) {
            case InvalidSpecException x -> Code.INVALID_ARGUMENT;
            case io.jsyd.oci.InvalidPolicyException x -> Code.INVALID_ARGUMENT;
            case UsageException x -> Code.INVALID_ARGUMENT;
            case ConflictException x -> Code.ALREADY_EXISTS;
            case ContainerStateException x -> Code.FAILED_PRECONDITION;
            case NotImplementedException x -> Code.UNIMPLEMENTED;
            default -> Code.UNKNOWN;
        };
        return new TtrpcException(code, what + ": " + e.getMessage(), e);
    }

    /** What `delete` after a dead shim detaches: the rootfs containerd's Create had mounted. */
    public static void unmountRootfs(Path bundle) {
        Rootfs.unmount(bundle);
    }

    private CreateTaskResponse create(CreateTaskRequest r) throws TtrpcException {
        if (!r.getCheckpoint().isEmpty()) {
            throw new TtrpcException(Code.UNIMPLEMENTED, "restore from a checkpoint is not supported by"
                    + " containerd-shim-jsyd-v2");
        }
        String id = r.getId();
        Path bundle = Path.of(r.getBundle());
        boolean tty = r.getTerminal();
        ShimProcess init = new ShimProcess(id, "", r.getStdin(), r.getStdout(), r.getStderr(), tty, null);
        synchronized (containers) {
            if (containers.containsKey(id)) {
                throw new TtrpcException(Code.ALREADY_EXISTS, "container " + id + ": already exists");
            }
            boolean mounted = Rootfs.mount(r.getRootfsList(), bundle);
            HostedSandbox[] made = new HostedSandbox[1];
            ProcessIo io = null;
            ConsoleSocket console = null;
            try {
                io = tty ? ProcessIo.openTerminal(r.getStdin(), r.getStdout())
                        : ProcessIo.open(r.getStdin(), r.getStdout(), r.getStderr());
                console = tty ? ConsoleSocket.listen(consoleSocketPath()) : null;
                ProcessIo launchIo = io;
                Path consolePath = console == null ? null : console.path();
                int pid = reaper.launch(reg -> {
                    Create.Hosted h = Create.createHosted(request(bundle), new Create.Options(root, id, bundle, false,
                            0, null, consolePath, false), launchIo.stdio(), p -> end(init, p));
                    made[0] = h.sandbox().orElse(null);
                    if (made[0] != null) {
                        sandboxes.add(made[0]);
                    }
                    reg.watch(h.pid(), status -> exited(init, status));
                    return h.pid();
                });
                if (console != null) {
                    io.attach(console.master(), id);
                }
                init.launched(pid, io);
                io.started(id);
                containers.put(id, new ShimContainer(id, bundle, init, mounted, made[0]));
                if (made[0] != null) {
                    init.supervised(made[0].initWatch());
                    whenTraced(init, pid, made[0].initWatch());
                }
                watchOom(id, init);
            } catch (OciException | TtrpcException | RuntimeException e) {
                if (made[0] != null && !containers.containsKey(id)) {
                    sandboxes.remove(made[0]);
                    made[0].close();
                }
                if (io != null) {
                    io.close();
                }
                if (mounted) {
                    Rootfs.unmount(bundle);
                }
                if (init.pid() == 0 && e instanceof TtrpcException) {
                    // made, but its terminal never came: it goes
                    killCreated(id);
                }
                if (e instanceof OciException oe) {
                    throw failure("create " + id, oe);
                }
                if (e instanceof TtrpcException te) {
                    throw te;
                }
                throw new TtrpcException(Code.UNKNOWN, "create " + id + ": " + e.getMessage(), e);
            } finally {
                if (console != null) {
                    console.close();
                }
            }
        }
        events.publish("/tasks/create", TaskCreate.newBuilder().setContainerId(id).setBundle(r.getBundle())
                .addAllRootfs(r.getRootfsList()).setIo(TaskIO.newBuilder().setStdin(r.getStdin())
                        .setStdout(r.getStdout()).setStderr(r.getStderr()).setTerminal(r.getTerminal()))
                .setPid(init.pid()).build());
        return CreateTaskResponse.newBuilder().setPid(init.pid()).build();
    }

    private final java.util.concurrent.atomic.AtomicInteger consoles = new java.util.concurrent.atomic.AtomicInteger();

    /** A console socket path short enough for sockaddr_un whatever the container id's length. */
    private Path consoleSocketPath() {
        return root.getParent().resolve("console-" + Processes.self() + "-" + consoles.incrementAndGet() + ".sock");
    }

    private void killCreated(String id) {
        try {
            Delete.delete(root, id, true, log);
        } catch (OciException | RuntimeException e) {
            log.println("create " + id + ": removing it again: " + e.getMessage());
        }
    }


    /**
     * TaskOOM when the kernel's OOM killer acts in the container's cgroup (the memory
     * controller's notification), until the container is gone. Without a memory
     * cgroup there is nothing to watch.
     */
    private void watchOom(String id, ShimProcess init) {
        CgroupManager.OomWatch watch;
        try {
            CgroupManager cgroup = StateStore.cgroup(new StateStore(root).read(id));
            if (cgroup == null) {
                return;
            }
            watch = cgroup.watchOom();
        } catch (OciException | RuntimeException e) {
            log.println("container " + id + ": no OOM events: " + e.getMessage());
            return;
        }
        oom.watch(id, watch, () -> init.exited() != null,
                () -> events.publish("/tasks/oom", TaskOOM.newBuilder().setContainerId(id).build()));
    }

    /**
     * The policy's end of a container (its exit action, its timeout): the init is
     * killed, and with its pid namespace everything else of the container.
     */
    private static void end(ShimProcess init, int pid) {
        if (init.exited() == null) {
            Processes.signalIfAlive(pid, 9);
        }
    }

    /** Whether a tracer in this process follows {@code pid}: the reaper leaves it to that tracer. */
    private boolean traced(int pid) {
        for (HostedSandbox s : sandboxes) {
            if (s.traced() && s.traces(pid)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A traced process is reaped by its tracer: its exit comes from there (the
     * reaper forgets it). If the tracer fails, its tracees were killed and the
     * reaper, which still watches the pid, reaps it.
     */
    private void whenTraced(ShimProcess p, int pid, HostedSandbox.Watch w) {
        java.util.concurrent.CompletableFuture<Integer> traced = w == null ? null : w.tracedExit();
        if (traced == null) {
            return;
        }
        // not on the tracer's thread: closing the watch waits for that thread to end
        traced.whenCompleteAsync((status, failure) -> {
            if (failure == null) {
                reaper.forget(pid);
                exited(p, status);
            } else {
                log.println("container " + p.containerId + ": the ptrace layer failed, its processes were killed: "
                        + failure);
            }
        }, r -> Thread.ofPlatform().daemon().name("traced-exit").start(r));
    }

    /** On the reaper's (or a tracer's) thread: record the exit and tell containerd. */
    private void exited(ShimProcess p, int status) {
        Instant at = Instant.now();
        ShimContainer c = containers.get(p.containerId);
        if (p.supervised() != null) {
            p.supervised().close();
        }
        if (p.isInit() && c != null && c.sandbox != null) {
            // 124 when the policy's timeout ended it
            status = c.sandbox.exitStatus(status);
        }
        if (p.isInit()) {
            // an OOM kill's event before the exit, while the cgroup is still there
            oom.finish(p.containerId);
        }
        if (!p.exit.complete(new ShimProcess.Exit(status, at))) {
            return;
        }
        events.publish("/tasks/exit", TaskExit.newBuilder().setContainerId(p.containerId)
                .setId(p.isInit() ? p.containerId : p.execId).setPid(p.pid()).setExitStatus(status)
                .setExitedAt(Publisher.timestamp(at)).build());
    }

    private StartResponse start(StartRequest r) throws TtrpcException {
        ShimContainer c = container(r.getId());
        ShimProcess p = process(r.getId(), r.getExecId());
        if (p.isInit()) {
            synchronized (c) {
                if (p.status() != Status.CREATED) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " was started already");
                }
                try {
                    Start.start(root, c.id);
                } catch (OciException e) {
                    throw failure("start " + c.id, e);
                }
                if (c.sandbox != null) {
                    // the policy's timeout counts from here
                    c.sandbox.started();
                }
                p.status(Status.RUNNING);
            }
            events.publish("/tasks/start", TaskStart.newBuilder().setContainerId(c.id).setPid(p.pid()).build());
            return StartResponse.newBuilder().setPid(p.pid()).build();
        }
        synchronized (p) {
            if (p.pid() != 0) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "process " + p.execId + " was started already");
            }
            startExec(c, p);
            p.status(Status.RUNNING);
        }
        events.publish("/tasks/exec-started", TaskExecStarted.newBuilder().setContainerId(c.id)
                .setExecId(p.execId).setPid(p.pid()).build());
        return StartResponse.newBuilder().setPid(p.pid()).build();
    }

    private void startExec(ShimContainer c, ShimProcess p) throws TtrpcException {
        Path dir = work.resolve(c.id);
        Path spec = dir.resolve(p.execId + ".json");
        ProcessIo io = p.terminal ? ProcessIo.openTerminal(p.stdin, p.stdout) : ProcessIo.open(p.stdin, p.stdout, p.stderr);
        ConsoleSocket console = null;
        try {
            Files.createDirectories(dir);
            Files.write(spec, p.processJson);
            console = p.terminal ? ConsoleSocket.listen(consoleSocketPath()) : null;
            Path consolePath = console == null ? null : console.path();
            Exec.Hosted[] made = new Exec.Hosted[1];
            int pid = reaper.launch(reg -> {
                made[0] = Exec.execHosted(request(c.bundle), new Exec.Options(root, c.id, spec, List.of(), List.of(),
                        null, null, List.of(), List.of(), null, null, consolePath, true, null, 0, false, null, null),
                        io.stdio(), c.sandbox);
                reg.watch(made[0].pid(), status -> exited(p, status));
                return made[0].pid();
            });
            if (made[0].watch() != null) {
                p.supervised(made[0].watch());
                whenTraced(p, pid, made[0].watch());
            }
            if (console != null) {
                io.attach(console.master(), c.id + "-" + p.execId);
            }
            p.launched(pid, io);
            io.started(c.id + "-" + p.execId);
        } catch (OciException e) {
            io.close();
            throw failure("exec " + p.execId + " in " + c.id, e);
        } catch (IOException | RuntimeException e) {
            io.close();
            throw new TtrpcException(Code.UNKNOWN, "exec " + p.execId + " in " + c.id + ": " + e.getMessage(), e);
        } finally {
            if (console != null) {
                console.close();
            }
            try {
                Files.deleteIfExists(spec);
            } catch (IOException e) {
                log.println("exec " + p.execId + ": " + e.getMessage());
            }
        }
    }

    private Empty exec(ExecProcessRequest r) throws TtrpcException {
        ShimContainer c = container(r.getId());
        if (c.init.exited() != null) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " has stopped");
        }
        ShimProcess p = new ShimProcess(c.id, r.getExecId(), r.getStdin(), r.getStdout(), r.getStderr(), r.getTerminal(),
                r.getSpec().getValue().toByteArray());
        if (c.execs.putIfAbsent(r.getExecId(), p) != null) {
            throw new TtrpcException(Code.ALREADY_EXISTS, "process " + r.getExecId() + " of " + c.id
                    + ": already exists");
        }
        events.publish("/tasks/exec-added", TaskExecAdded.newBuilder().setContainerId(c.id)
                .setExecId(r.getExecId()).build());
        return Empty.getDefaultInstance();
    }

    private StateResponse state(StateRequest r) throws TtrpcException {
        ShimContainer c = container(r.getId());
        ShimProcess p = process(r.getId(), r.getExecId());
        StateResponse.Builder b = StateResponse.newBuilder().setId(p.isInit() ? c.id : p.execId)
                .setBundle(c.bundle.toString()).setPid(p.pid()).setStatus(p.status()).setStdin(p.stdin)
                .setStdout(p.stdout).setStderr(p.stderr).setTerminal(p.terminal).setExecId(p.execId);
        ShimProcess.Exit e = p.exited();
        if (e != null) {
            b.setExitStatus(e.status()).setExitedAt(Publisher.timestamp(e.at()));
        }
        return b.build();
    }

    private WaitResponse await(WaitRequest r) throws TtrpcException {
        ShimProcess p = process(r.getId(), r.getExecId());
        try {
            ShimProcess.Exit e = p.exit.get();
            return WaitResponse.newBuilder().setExitStatus(e.status()).setExitedAt(Publisher.timestamp(e.at())).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "wait for " + r.getId() + " was interrupted");
        } catch (ExecutionException e) {
            throw new TtrpcException(Code.UNKNOWN, "wait for " + r.getId() + ": " + e.getCause().getMessage());
        }
    }

    private Empty kill(KillRequest r) throws TtrpcException {
        ShimProcess p = process(r.getId(), r.getExecId());
        int sig = r.getSignal();
        if (p.isInit() && r.getAll()) {
            try {
                Kill.kill(root, r.getId(), Integer.toString(sig), true);
            } catch (OciException e) {
                throw failure("kill " + r.getId(), e);
            }
            return Empty.getDefaultInstance();
        }
        // the exit is set under the reaper's lock, before the pid can be reused: a live one is ours
        if (p.pid() == 0 || p.exited() != null || !Processes.signalIfAlive(p.pid(), sig)) {
            throw new TtrpcException(Code.NOT_FOUND, "process already finished");
        }
        return Empty.getDefaultInstance();
    }

    private DeleteResponse delete(DeleteRequest r) throws TtrpcException {
        ShimContainer c = container(r.getId());
        ShimProcess p = process(r.getId(), r.getExecId());
        if (!p.isInit()) {
            if (p.pid() != 0 && p.exited() == null) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "process " + p.execId + " of " + c.id
                        + " is still running");
            }
            c.execs.remove(p.execId);
            if (p.io() != null) {
                p.io().close();
            }
            if (p.pid() == 0) {
                // never started (its Start failed): a Wait on it ends now, as for a process that could not run
                p.exit.complete(new ShimProcess.Exit(NEVER_RAN, Instant.now()));
            }
            return deleted(p);
        }
        synchronized (c) {
            if (p.exited() == null) {
                if (p.status() != Status.CREATED) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "cannot delete container " + c.id
                            + " while it runs: kill it first");
                }
                // created, never started: it goes now (as runc deletes a created container)
                Processes.signalIfAlive(p.pid(), 9);
                try {
                    p.exit.get(DEATH_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException | ExecutionException | TimeoutException e) {
                    throw new TtrpcException(Code.UNKNOWN, "container " + c.id + " did not die on SIGKILL");
                }
            }
            try {
                Delete.delete(root, c.id, true, log);
            } catch (OciException e) {
                throw failure("delete " + c.id, e);
            }
            if (c.rootfsMounted) {
                Rootfs.unmount(c.bundle);
            }
            if (p.io() != null) {
                p.io().close();
            }
            if (c.sandbox != null) {
                sandboxes.remove(c.sandbox);
                c.sandbox.close();
            }
            containers.remove(c.id);
        }
        DeleteResponse resp = deleted(p);
        events.publish("/tasks/delete", TaskDelete.newBuilder().setContainerId(c.id).setPid(resp.getPid())
                .setExitStatus(resp.getExitStatus()).setExitedAt(resp.getExitedAt()).setId(c.id).build());
        return resp;
    }

    private static DeleteResponse deleted(ShimProcess p) {
        ShimProcess.Exit e = p.exited();
        DeleteResponse.Builder b = DeleteResponse.newBuilder().setPid(p.pid());
        if (e != null) {
            b.setExitStatus(e.status()).setExitedAt(Publisher.timestamp(e.at()));
        }
        return b.build();
    }

    private PidsResponse pids(PidsRequest r) throws TtrpcException {
        ShimContainer c = container(r.getId());
        PidsResponse.Builder b = PidsResponse.newBuilder();
        try {
            CgroupManager cgroup = StateStore.cgroup(new StateStore(root).read(c.id));
            List<Integer> pids = cgroup == null
                    ? (c.init.exited() == null ? List.of(c.init.pid()) : List.of()) : cgroup.pids();
            pids.forEach(pid -> b.addProcesses(ProcessInfo.newBuilder().setPid(pid)));
        } catch (OciException e) {
            throw failure("pids of " + c.id, e);
        }
        return b.build();
    }

    /** The v1 memory controller's memory.oom_control as keys and values; null without one. */
    private static Map<String, Long> oomControl(CgroupManager cgroup) {
        Path dir = cgroup.paths().get("memory");
        if (dir == null) {
            return null;
        }
        try {
            Map<String, Long> m = new java.util.LinkedHashMap<>();
            for (String line : Files.readAllLines(dir.resolve("memory.oom_control"))) {
                String[] kv = line.strip().split("\\s+");
                if (kv.length == 2) {
                    m.put(kv[0], Long.parseUnsignedLong(kv[1]));
                }
            }
            return m;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private volatile Boolean unified;

    /** Whether this host has the unified cgroup hierarchy only (looked up once). */
    private boolean unified() {
        Boolean u = unified;
        if (u == null) {
            u = io.jsyd.runtime.cgroup.CgroupHost.system().mode() == io.jsyd.runtime.cgroup.CgroupHost.Mode.UNIFIED;
            unified = u;
        }
        return u;
    }

    /** The cgroup's counters as containerd's cgroups Metrics: v1 on a host with v1 controllers, v2 on a unified one. */
    private MessageLite stats(String id) throws TtrpcException {
        container(id);
        CgroupManager cgroup;
        try {
            cgroup = StateStore.cgroup(new StateStore(root).read(id));
        } catch (OciException e) {
            throw failure("stats of " + id, e);
        }
        if (cgroup == null) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + id + " has no cgroup to read stats from");
        }
        return io.jsyd.shim.proto.task.StatsResponse.newBuilder().setStats(Metrics.of(cgroup.stats(), unified(),
                unified() ? null : oomControl(cgroup))).build();
    }

    private Empty pause(String id, boolean pause) throws TtrpcException {
        ShimContainer c = container(id);
        synchronized (c) {
            try {
                Pause.pause(root, id, pause);
            } catch (OciException e) {
                throw failure((pause ? "pause " : "resume ") + id, e);
            }
            c.init.status(pause ? Status.PAUSED : Status.RUNNING);
        }
        if (pause) {
            events.publish("/tasks/paused", TaskPaused.newBuilder().setContainerId(id).build());
        } else {
            events.publish("/tasks/resumed", TaskResumed.newBuilder().setContainerId(id).build());
        }
        return Empty.getDefaultInstance();
    }

    /** The resources document (runtime-spec LinuxResources JSON) applied live, as `jsyd-oci update` does. */
    private Empty update(io.jsyd.shim.proto.task.UpdateTaskRequest r) throws TtrpcException {
        container(r.getId());
        io.jsyd.oci.spec.model.LinuxResources resources;
        try {
            resources = io.jsyd.oci.spec.SpecJson.mapper().readValue(r.getResources().getValue().toByteArray(),
                    io.jsyd.oci.spec.model.LinuxResources.class);
        } catch (RuntimeException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "update " + r.getId() + ": the resources ("
                    + r.getResources().getTypeUrl() + ") are not runtime-spec LinuxResources JSON: " + e.getMessage());
        }
        try {
            io.jsyd.oci.lifecycle.Update.update(root, r.getId(), io.jsyd.oci.lifecycle.Update.Change.of(resources));
        } catch (OciException e) {
            throw failure("update " + r.getId(), e);
        }
        return Empty.getDefaultInstance();
    }

    private Empty resize(io.jsyd.shim.proto.task.ResizePtyRequest r) throws TtrpcException {
        ShimProcess p = process(r.getId(), r.getExecId());
        if (p.io() == null || !p.terminal) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "process " + (p.isInit() ? p.containerId : p.execId)
                    + " has no terminal");
        }
        p.io().resize(r.getWidth(), r.getHeight());
        return Empty.getDefaultInstance();
    }

    private Empty closeIo(CloseIORequest r) throws TtrpcException {
        ShimProcess p = process(r.getId(), r.getExecId());
        if (r.getStdin() && p.io() != null) {
            p.io().closeStdin();
        }
        return Empty.getDefaultInstance();
    }

    private MessageLite connect(String id) {
        ShimContainer c = containers.get(id);
        int task = c == null ? 0 : c.init.pid();
        return ConnectResponse.newBuilder().setShimPid(Processes.self()).setTaskPid(task)
                .setVersion("jsyd-oci " + BuildInfo.version()).build();
    }

    private Empty shutdown(ShutdownRequest r) {
        // a pod's shim outlives each container but the last
        if (containers.isEmpty()) {
            onShutdown.run();
        }
        return Empty.getDefaultInstance();
    }
}
