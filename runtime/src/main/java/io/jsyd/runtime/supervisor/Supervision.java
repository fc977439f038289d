package io.jsyd.runtime.supervisor;

/**
 * One part of a container's live supervision: the notify pool, the timeout, and
 * later a ptrace tracer. A host (the foreground `run`, the per-root supervisor
 * daemon) keeps a set of them per container, tells them when the container's
 * process starts, and closes them all when its init exits or it is deleted. What
 * a part does to end the container (its {@code exit} action, an expired timeout)
 * it gets from the host when it is made.
 */
public interface Supervision extends AutoCloseable {
    /** The container's process runs now (after `start`); a part that waits for it begins. */
    default void started() {
    }

    /** Stops supervising; called once, after the init exited or when the container is deleted. */
    @Override
    void close();
}
