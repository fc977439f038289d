package io.jsyd.runtime.supervisor;

import java.time.Duration;

/**
 * The policy's timeout under a host where the container is created before it
 * runs (create/start): the clock starts at {@link #started()}, as a container's
 * wall-clock time starts with its process, not when the runtime set it up.
 */
public final class StartedDeadline implements Supervision {
    private final Duration timeout;
    private final Runnable end;
    private final String name;
    private Deadline deadline;
    private boolean closed;

    public StartedDeadline(Duration timeout, Runnable end, String name) {
        this.timeout = timeout;
        this.end = end;
        this.name = name;
    }

    @Override
    public synchronized void started() {
        if (deadline == null && !closed) {
            deadline = Deadline.start(timeout, end, name);
        }
    }

    /** Whether the timeout ended the container. */
    public synchronized boolean expired() {
        return deadline != null && deadline.expired();
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (deadline != null) {
            deadline.close();
        }
    }
}
