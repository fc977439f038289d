package io.jsyd.runtime.supervisor;

/**
 * One per-container part of the supervision a host (the foreground JVM of `run`,
 * or the per-root daemon) keeps while the container lives: the notify pool, the
 * ptrace tracer. A component starts itself from the container's init pid, its
 * policy and its decision log, runs on threads of its own, and ends when the
 * container's processes are gone or when closed.
 */
public interface SupervisionComponent extends AutoCloseable {
    /** Stops supervising; the processes it still watches are killed, never left to run unsupervised. */
    @Override
    void close();
}
