package io.jsyd.runtime.container;

import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.KernelFiles;
import io.jsyd.runtime.spawn.Checkpoint;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import io.jsyd.runtime.spawn.StubLauncher;
import io.jsyd.runtime.spawn.SyncHandler;
import java.util.function.ObjIntConsumer;

/**
 * Makes a container init from a config: plans it, runs the plan through the stub
 * and does the parent's part at each sync point.
 */
public final class ContainerLauncher {
    private final InitStub stub;
    private final HostView host;
    private final InitPlanner planner;

    public ContainerLauncher(InitStub stub, HostView host) {
        this.stub = stub;
        this.host = host;
        this.planner = new InitPlanner(host);
    }

    public Plan plan(ContainerConfig config) {
        return planner.plan(config);
    }

    /** Starts the init and returns once it exec'd the container process (or failed). */
    public Launched launch(ContainerConfig config) {
        if (config.cgroup() != null) {
            throw new IllegalArgumentException("a container with a cgroup is launched with its cgroup manager");
        }
        return launch(config, null);
    }

    /**
     * Starts the init in the cgroup {@code cgroup} manages: the caller made the
     * manager for {@code config.cgroup()} and removes the cgroup once the container
     * is gone (also when this fails). The cgroup is created and set when the init
     * exists, and the init joins it before it runs anything of the user's.
     */
    public Launched launch(ContainerConfig config, CgroupManager cgroup) {
        return launch(config, cgroup, (fd, pid) -> {
        });
    }

    /**
     * As {@link #launch(ContainerConfig, CgroupManager)}, giving the seccomp listener
     * fd to {@code onListener} (with the init's pid) the moment the init has loaded
     * its filter: the init may then already wait for an answer, before it execs.
     */
    public Launched launch(ContainerConfig config, CgroupManager cgroup, ObjIntConsumer<Fd> onListener) {
        return launch(config, cgroup, onListener, (fd, pid) -> {
            throw new IllegalStateException("the init sent a supervisor listener nobody asked for");
        }, HookPoints.NONE, null);
    }

    /** As the six-argument launch, without hooks, exec at once. */
    public Launched launch(ContainerConfig config, CgroupManager cgroup, ObjIntConsumer<Fd> onListener,
                           ObjIntConsumer<Fd> onSupervisor) {
        return launch(config, cgroup, onListener, onSupervisor, HookPoints.NONE, null);
    }

    /**
     * As {@link #launch(ContainerConfig, CgroupManager, ObjIntConsumer)}, giving the
     * listener of the sandbox policy's filter ({@code config.process().supervisor()})
     * to {@code onSupervisor} and running {@code hooks} at their points. Both callbacks
     * get the launcher's fd, which the caller closes with the other fds of
     * {@link Launched}: keep a dup. With an {@code execFifo} (a fifo on the host) the
     * call returns once the init finished its setup and waits for `start` to open the
     * fifo: the caller may then exit, and the init execs when the fifo is opened.
     */
    public Launched launch(ContainerConfig config, CgroupManager cgroup, ObjIntConsumer<Fd> onListener,
                           ObjIntConsumer<Fd> onSupervisor, HookPoints hooks, java.nio.file.Path execFifo) {
        return launch(config, cgroup, onListener, onSupervisor, hooks, execFifo, null);
    }

    /** As the six-argument launch, the container's stdio from {@code stdio} (null: ours). */
    public Launched launch(ContainerConfig config, CgroupManager cgroup, ObjIntConsumer<Fd> onListener,
                           ObjIntConsumer<Fd> onSupervisor, HookPoints hooks, java.nio.file.Path execFifo,
                           io.jsyd.runtime.spawn.Stdio stdio) {
        return launch(config, cgroup, onListener, onSupervisor, hooks, execFifo, stdio, pid -> {
            throw new IllegalStateException("the init waits to be traced and nobody traces it");
        });
    }

    /**
     * As the seven-argument launch; {@code onTrace} seizes the init (given its pid) when
     * it stops before loading the tracer's filter ({@code config.process().tracer()})
     * and returns once the init is seized; throwing aborts the launch.
     */
    public Launched launch(ContainerConfig config, CgroupManager cgroup, ObjIntConsumer<Fd> onListener,
                           ObjIntConsumer<Fd> onSupervisor, HookPoints hooks, java.nio.file.Path execFifo,
                           io.jsyd.runtime.spawn.Stdio stdio, java.util.function.IntConsumer onTrace) {
        return launch(config, cgroup, onListener, onSupervisor, hooks, execFifo, stdio, onTrace, pid -> {
        });
    }

    /**
     * As the eight-argument launch; {@code onReady} gets the init's pid once its setup
     * is done, while it waits for our answer before it waits for `start` (with an
     * {@code execFifo}) or loads its filters and execs (without): what must exist
     * before the container's own code runs (a foreground run's state and pid file) is
     * written there. Throwing aborts the launch.
     */
    public Launched launch(ContainerConfig config, CgroupManager cgroup, ObjIntConsumer<Fd> onListener,
                           ObjIntConsumer<Fd> onSupervisor, HookPoints hooks, java.nio.file.Path execFifo,
                           io.jsyd.runtime.spawn.Stdio stdio, java.util.function.IntConsumer onTrace,
                           java.util.function.IntConsumer onReady) {
        if ((config.cgroup() == null) != (cgroup == null)) {
            throw new IllegalArgumentException("a cgroup manager goes with a config that has a cgroup, and only then");
        }
        Plan plan = (cgroup == null ? planner : new InitPlanner(host, cgroup.paths())).plan(config, hooks, execFifo);
        return StubLauncher.launch(stub, plan, config.keepFds(), new SyncHandler() {
            @Override
            public boolean onSync(int id, int pid) {
                SyncPoint point = SyncPoint.of(id);
                Checkpoint.reach("sync " + point.step() + " reached");
                switch (point) {
                    case USERNS_MAPS -> IdMapWriter.write(pid, config.uidMappings(), config.gidMappings());
                    case INIT_CREATED -> {
                        if (cgroup != null) {
                            cgroup.create();
                            Checkpoint.reach("cgroup created");
                            cgroup.join(pid);
                        }
                        Integer adj = config.process().oomScoreAdj();
                        if (adj != null) {
                            KernelFiles.writeOnce("/proc/" + pid + "/oom_score_adj", adj.toString(), "process.oomScoreAdj");
                        }
                    }
                    case BEFORE_PIVOT -> hooks.beforePivot(pid);
                    case TRACE -> onTrace.accept(pid);
                    case READY -> {
                        onReady.accept(pid);
                        Checkpoint.reach("sync " + point.step() + " answered");
                        // without a wait for `start`, the filters' fds and the exec are still to come
                        return execFifo == null;
                    }
                }
                Checkpoint.reach("sync " + point.step() + " answered");
                return true;
            }

            @Override
            public void acknowledged(int id) {
                Checkpoint.reach("sync " + SyncPoint.of(id).step() + " acknowledged");
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
