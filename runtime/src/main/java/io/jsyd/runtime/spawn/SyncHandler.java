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

    /**
     * The stub sent an fd (a seccomp listener) made by the op at {@code opIndex}. The
     * init ({@code pid}) may already wait on it, so it goes on to its user here, not
     * after the launch. The fd stays in {@link Launched#fds}; throwing aborts the start.
     */
    default void onFd(int opIndex, io.jsyd.runtime.linux.Fd fd, int pid) {
    }

    /** The parent answered ACK to the SYNC with this id: the stub (or init) goes on now. */
    default void acknowledged(int syncId) {
    }
}
