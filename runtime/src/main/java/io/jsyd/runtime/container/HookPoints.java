package io.jsyd.runtime.container;

import io.jsyd.runtime.spawn.PlanOp;
import java.util.List;

/**
 * The points of a launch where OCI hooks run, for whoever supplies them (the hooks
 * module): the kernel only knows where they are, not what a hook is.
 * <ul>
 * <li>{@link #beforePivot}: the parent's part while the init waits at a SYNC with its
 *     namespaces made, its cgroup joined and its rootfs mounted, right before
 *     pivot_root (prestart and createRuntime, in the runtime namespace).
 * <li>{@link #initBeforePivot}: ops the init itself runs right after that, still
 *     before pivot_root, in all of the container's namespaces (createContainer).
 * <li>{@link #initBeforeExec}: ops the init runs last, after `start` and every
 *     identity change, right before it execs the user process (startContainer).
 * </ul>
 * Throwing from {@link #beforePivot} aborts the launch: the init is killed and the
 * exception reaches the caller, as with any sync failure.
 */
public interface HookPoints {
    HookPoints NONE = new HookPoints() {
        @Override
        public boolean parentBeforePivot() {
            return false;
        }

        @Override
        public void beforePivot(int initPid) {
        }
    };

    /** True when the init must stop before pivot_root for {@link #beforePivot}. */
    boolean parentBeforePivot();

    /** @param initPid the container init's host pid */
    void beforePivot(int initPid);

    /** @param rootfs the container's rootfs on the host (runc runs createContainer hooks there) */
    default List<PlanOp> initBeforePivot(String rootfs) {
        return List.of();
    }

    default List<PlanOp> initBeforeExec() {
        return List.of();
    }
}
