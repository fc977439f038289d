package io.jsyd.runtime.supervisor;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The policy's wall-clock timeout (Syd's {@code timeout:}, seed 000): one thread
 * sleeps until the deadline and then ends the container, unless the container
 * exited first and {@link #close()} cancelled it. The host then reports exit
 * status {@value #EXIT_STATUS}, as timeout(1) does.
 */
public final class Deadline implements Supervision {
    /** The exit status of a container its timeout ended. */
    public static final int EXIT_STATUS = 124;

    private final CountDownLatch cancelled = new CountDownLatch(1);
    private static final int RUNNING = 0;
    private static final int EXPIRED = 1;
    private static final int CANCELLED = 2;

    /** Whoever moves it from RUNNING first, the timer or {@link #close()}, decides. */
    private final AtomicInteger state = new AtomicInteger(RUNNING);

    private Deadline() {
    }

    /** Starts the clock; {@code end} runs once, on the timer thread, if the deadline passes. */
    public static Deadline start(Duration timeout, Runnable end, String name) {
        Deadline d = new Deadline();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                if (!d.cancelled.await(timeout.toNanos(), TimeUnit.NANOSECONDS) && d.state.compareAndSet(RUNNING, EXPIRED)) {
                    end.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return d;
    }

    /** Whether the deadline passed and the container was ended for it. */
    public boolean expired() {
        return state.get() == EXPIRED;
    }

    /**
     * Cancels the timer: a container that exited at the same moment counts as
     * timed out only if the timer got there first.
     */
    @Override
    public void close() {
        state.compareAndSet(RUNNING, CANCELLED);
        cancelled.countDown();
    }
}
