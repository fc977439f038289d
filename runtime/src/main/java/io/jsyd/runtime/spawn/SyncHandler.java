package io.jsyd.runtime.spawn;

/**
 * The parent's part at each SYNC op of a plan: write id maps, place the init in its
 * cgroup, run hooks... Throwing (a KernelException, say) aborts the start: the stub is told to stop and
 * killed, and the exception reaches the caller of {@link StubLauncher#launch}.
 */
@FunctionalInterface
public interface SyncHandler {
    /**
     * @param syncId the id the plan gave the SYNC op
     * @param pid    the process that waits: the stub before CLONE_INIT, the init after it
     * @return true to keep listening, false to answer and return to the caller
     *         (the init goes on alone, e.g. to wait for `start`)
     */
    boolean onSync(int syncId, int pid);
}
