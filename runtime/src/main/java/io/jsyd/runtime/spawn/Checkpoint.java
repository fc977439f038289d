package io.jsyd.runtime.spawn;

/**
 * Named points of a container's creation (the parent's side of the stub protocol
 * and the front end's steps around it), where a crash-safety test stops the runtime
 * to kill it there. Nothing is bound in production: {@link #reach} is then a no-op.
 * The test seam is bound only by the command line's entry point of a JVM of its own
 * (never by the command server or the shim), so no request can set it.
 */
@FunctionalInterface
public interface Checkpoint {
    /** Bound for one command by the test seam; unbound: no checkpoint does anything. */
    ScopedValue<Checkpoint> CURRENT = ScopedValue.newInstance();

    /** Called at each named step, in order, on the thread that creates the container. */
    void reached(String step);

    static void reach(String step) {
        if (CURRENT.isBound()) {
            CURRENT.get().reached(step);
        }
    }
}
