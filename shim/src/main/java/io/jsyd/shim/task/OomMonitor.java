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
 * shim a stack and its native bookkeeping per container. A container's last
 * events are taken when its init exits ({@link #finish}), before its exit is
 * reported: containerd deletes the cgroup right after, and with it what was pending.
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

    /** Takes the container's pending events now (its init exited) and stops watching it. */
    void finish(String id) {
        Entry found = null;
        synchronized (this) {
            for (Entry e : entries) {
                if (e.id().equals(id)) {
                    found = e;
                }
            }
        }
        if (found != null) {
            look(found, true);
        }
    }

    private void look(Entry e) {
        look(e, false);
    }

    private void look(Entry e, boolean last) {
        // one look at a time per container: the loop's and finish's
        synchronized (e) {
            synchronized (this) {
                if (!entries.contains(e)) {
                    return;
                }
            }
            lookLocked(e, last);
        }
    }

    private void lookLocked(Entry e, boolean last) {
        try {
            // the ended check first: the last OOM of a dying container comes before its exit is reaped
            boolean ended = last || e.ended().getAsBoolean();
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
