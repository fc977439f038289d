package io.jsyd.runtime.container;

import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import io.jsyd.runtime.spawn.StubLauncher;
import io.jsyd.runtime.spawn.SyncHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;

/**
 * Starts one more process in a running container (`exec`): the stub joins the
 * init's namespaces, is placed in the container's cgroup, clones the process (which
 * so lands in the container's pid namespace, a child of the caller) and that runs
 * the process part of an init plan.
 */
public final class ExecLauncher {
    private final InitStub stub;
    private final InitPlanner planner;

    public ExecLauncher(InitStub stub, HostView host) {
        this.stub = stub;
        this.planner = new InitPlanner(host);
    }

    /**
     * The namespaces of {@code pid} that are not the caller's own: joining one's own
     * user namespace fails (EINVAL), and joining the others again changes nothing.
     */
    public static List<Namespace> namespacesOf(int pid) throws IOException {
        List<Namespace> result = new ArrayList<>();
        for (NamespaceKind kind : NamespaceKind.values()) {
            Path theirs = Path.of("/proc/" + pid + "/ns/" + kind.procName());
            Path ours = Path.of("/proc/self/ns/" + kind.procName());
            if (!Files.exists(ours, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue; // a kind this kernel lacks
            }
            if (!Objects.equals(Files.readSymbolicLink(theirs), Files.readSymbolicLink(ours))) {
                result.add(new Namespace(kind, theirs, "namespace " + kind.procName() + " of the container"));
            }
        }
        return result;
    }

    /**
     * The plan: join {@code join} (user first, mount last, as the stub's SETNS does),
     * chroot into the rootfs when {@code join} has no mount namespace (the container
     * shares the caller's: see InitPlanner#rootfs), let the parent place the stub in
     * the cgroup (a clone inherits it), clone, then the process as an init would run
     * it. {@code config.process()} is the process.
     */
    public Plan plan(ContainerConfig config, List<Namespace> join, boolean cgroupSync) {
        Plan.Builder b = new Plan.Builder();
        if (!join.isEmpty()) {
            List<Namespace> ordered = join.stream().sorted(java.util.Comparator.comparing(Namespace::kind)).toList();
            b.add(OpCode.SETNS, "container namespaces",
                    ordered.stream().mapToLong(n -> n.kind().cloneFlag()).toArray(),
                    ordered.stream().map(n -> n.join().toString()).toArray(String[]::new));
        }
        if (join.stream().noneMatch(n -> n.kind() == NamespaceKind.MOUNT)) {
            // the container shares the runtime's mount namespace, and its init lives
            // chrooted in the rootfs: the process must be too, never at the host's root
            b.add(OpCode.CHROOT, "root.path", config.rootfs().toString());
        }
        if (cgroupSync) {
            b.add(OpCode.SYNC, "container cgroup", new long[] {SyncPoint.INIT_CREATED.id()});
        }
        b.add(OpCode.CLONE_INIT, "", new long[] {0});
        if (config.process().console() != null) {
            // the terminal becomes the controlling one of a new session
            b.add(OpCode.SETSID, "");
        }
        planner.process(config, b, HookPoints.NONE, false);
        return b.build();
    }

    /**
     * Starts the process and returns once it exec'd.
     *
     * @param joinCgroup places a pid in the container's cgroup, or null when it has none
     * @param onListener gets the seccomp listener when the process's filter makes one
     */
    public Launched launch(ContainerConfig config, List<Namespace> join, IntConsumer joinCgroup,
                           ObjIntConsumer<Fd> onListener) {
        return launch(config, join, joinCgroup, onListener, null);
    }

    /** As the four-argument launch, the process's stdio from {@code stdio} (null: ours). */
    public Launched launch(ContainerConfig config, List<Namespace> join, IntConsumer joinCgroup,
                           ObjIntConsumer<Fd> onListener, io.jsyd.runtime.spawn.Stdio stdio) {
        return launch(config, join, joinCgroup, onListener, (fd, pid) -> {
            throw new IllegalStateException("the process sent a supervisor listener nobody asked for");
        }, pid -> {
            throw new IllegalStateException("the process waits to be traced and nobody traces it");
        }, stdio);
    }

    /**
     * As the five-argument launch for a process under a sandbox policy, as the init
     * is: {@code onSupervisor} gets the listener of the policy's filter
     * ({@code config.process().supervisor()}), {@code onTrace} seizes the process
     * (given its pid) when it waits before loading the tracer's filter and returns
     * once it is seized. Both run on this thread while the process waits.
     */
    public Launched launch(ContainerConfig config, List<Namespace> join, IntConsumer joinCgroup,
                           ObjIntConsumer<Fd> onListener, ObjIntConsumer<Fd> onSupervisor, IntConsumer onTrace,
                           io.jsyd.runtime.spawn.Stdio stdio) {
        Plan plan = plan(config, join, joinCgroup != null);
        return StubLauncher.launch(stub, plan, config.keepFds(), new SyncHandler() {
            @Override
            public boolean onSync(int id, int pid) {
                if (SyncPoint.of(id) == SyncPoint.INIT_CREATED && joinCgroup != null) {
                    joinCgroup.accept(pid);
                } else if (SyncPoint.of(id) == SyncPoint.TRACE) {
                    onTrace.accept(pid);
                }
                return true;
            }

            @Override
            public void onFd(int opIndex, Fd fd, int pid) {
                PlanOp op = plan.ops().get(opIndex);
                if (op.code() == OpCode.SECCOMP_LOAD) {
                    if (InitPlanner.SUPERVISOR_ORIGIN.equals(op.origin())) {
                        onSupervisor.accept(fd, pid);
                    } else {
                        onListener.accept(fd, pid);
                    }
                }
            }
        }, stdio);
    }
}
