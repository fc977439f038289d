package io.jsyd.hooks;

import io.jsyd.runtime.container.HookPoints;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A container's hooks by kind, and where a lifecycle runs them. The API a lifecycle
 * (foreground `run`, or create/start/delete) calls:
 * <ol>
 * <li>create: {@link #launchPoints} goes to ContainerLauncher.launch; it runs prestart
 *     then createRuntime in the runtime namespace while the init waits before
 *     pivot_root, and has the init run createContainer, and startContainer once
 *     `start` opened the exec fifo (under `run`, at once). A failure during the
 *     launch is thrown out of it (HookFailedException from the first two, an
 *     InitStubException naming the hook from createContainer); the init is gone
 *     then. A startContainer failure after `create` returned reaches `start`
 *     through the fifo.</li>
 * <li>start, once the user process runs: {@link #poststart}; the first failure is
 *     thrown, and the caller stops the container (runtime-spec 1.3 lifecycle step 9:
 *     generate an error, stop the container).</li>
 * <li>delete, after the container's resources are gone, and also after a failed
 *     create or foreground run (the spec's "continue the lifecycle at step 12"):
 *     {@link #poststop}; failures are warnings, delete still succeeds. A failed
 *     `start` leaves the container stopped, and its `delete` runs poststop, as
 *     runc does.</li>
 * </ol>
 * State JSON is built by the caller (it knows the OCI state); this module only
 * hands it to each hook on stdin. Hooks run with {@code dir} (the bundle, as runc
 * does; null: the caller's) as their working directory.
 */
public record ContainerHooks(Map<HookKind, List<Hook>> byKind, Path dir) {
    public static final ContainerHooks NONE = new ContainerHooks(Map.of(), null);

    public ContainerHooks {
        Map<HookKind, List<Hook>> copy = new EnumMap<>(HookKind.class);
        byKind.forEach((k, v) -> {
            if (!v.isEmpty()) {
                copy.put(k, List.copyOf(v));
            }
        });
        byKind = java.util.Collections.unmodifiableMap(copy);
    }

    public List<Hook> of(HookKind kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    public boolean isEmpty() {
        return byKind.isEmpty();
    }

    /**
     * The launch's hook points. Before pivot_root: prestart then createRuntime run
     * here, in the runtime namespace, with status "creating"; then the init itself
     * runs createContainer (in all of the container's namespaces, before the pivot,
     * so a path resolves on the host as the spec wants). Last, right before its exec,
     * the init runs startContainer (status "created", paths in the container). A
     * lifecycle that waits for `start` must put that wait before these last ops.
     */
    public HookPoints launchPoints(StateJson state) {
        List<Hook> prestart = of(HookKind.PRESTART);
        List<Hook> createRuntime = of(HookKind.CREATE_RUNTIME);
        return new HookPoints() {
            @Override
            public boolean parentBeforePivot() {
                return !prestart.isEmpty() || !createRuntime.isEmpty();
            }

            @Override
            public void beforePivot(int initPid) {
                byte[] json = state.render("creating", initPid);
                HookRunner.runAll(HookKind.PRESTART, prestart, json, dir);
                HookRunner.runAll(HookKind.CREATE_RUNTIME, createRuntime, json, dir);
            }

            @Override
            public List<PlanOp> initBeforePivot(String rootfs) {
                return InitHookOps.ops(HookKind.CREATE_CONTAINER, of(HookKind.CREATE_CONTAINER), state.render("creating",
                        InitHookOps.PID_MARK), rootfs);
            }

            @Override
            public List<PlanOp> initBeforeExec() {
                // in the container's working directory (process.cwd), as runc runs them
                return InitHookOps.ops(HookKind.START_CONTAINER, of(HookKind.START_CONTAINER), state.render("created",
                        InitHookOps.PID_MARK), "");
            }
        };
    }

    /** Runs the poststart hooks with {@code runningState}; throws the first failure (the rest do not run). */
    public void poststart(byte[] runningState) {
        HookRunner.runAll(HookKind.POSTSTART, of(HookKind.POSTSTART), runningState, dir);
    }

    /** Runs every poststop hook with {@code stoppedState}; returns the failures. */
    public List<HookFailedException> poststop(byte[] stoppedState) {
        return HookRunner.runWarning(HookKind.POSTSTOP, of(HookKind.POSTSTOP), stoppedState, dir);
    }
}
