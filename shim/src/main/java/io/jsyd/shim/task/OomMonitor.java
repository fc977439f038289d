package io.jsyd.shim.task;

import io.jsyd.runtime.cgroup.CgroupManager;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The OOM events of every container of the pod, on one thread: each container's
 * watch (the memory controller's notification) is looked at without waiting,
 * every {@value #POLL_MILLIS} ms while there is any. One thread for the pod
 * instead of one blocked in each container's watch: a platform thread costs the
 * shim a stack and its native bookkeeping per container.
 */
final class OomMonitor {
    /** How late an OOM event may reach containerd; the kernel's notification waits meanwhile. */
    static final long POLL_MILLIS = 250;

    /** @param ended whether the container is gone (its watch then closes) */
    private record Entry(String id, CgroupManager.OomWatch watch, BooleanSupplier ended, Runnable onOom) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final PrintStream log;
    private Thread thread;

    OomMonitor(PrintStream log) {
        this.log = log;
    }

    /** Watches a container until {@code ended} says it is gone; {@code onOom} for every event before. */
    synchronized void watch(String id, CgroupManager.OomWatch watch, BooleanSupplier ended, Runnable onOom) {
        entries.add(new Entry(id, watch, ended, onOom));
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("oom").start(this::loop);
        }
        notifyAll();
    }

    private void loop() {
        while (true) {
            List<Entry> now;
            synchronized (this) {
                while (entries.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                now = List.copyOf(entries);
            }
            for (Entry e : now) {
                look(e);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void look(Entry e) {
        try {
            // the ended check first: the last OOM of a dying container comes before its exit is reaped
            boolean ended = e.ended().getAsBoolean();
            while (e.watch().await(0)) {
                e.onOom().run();
            }
            if (ended) {
                drop(e);
            }
        } catch (RuntimeException x) {
            log.println("container " + e.id() + ": OOM watch ended: " + x.getMessage());
            drop(e);
        }
    }

    private void drop(Entry e) {
        synchronized (this) {
            entries.remove(e);
        }
        e.watch().close();
    }
}
