package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that answer one listener (as Syd's pool, seed 002, kept simple):
 * {@code core} threads live as long as the container; when every live thread
 * is busy with a notification, one more starts, up to {@code max}; a thread
 * beyond the core ends after a {@code keepAlive} period in which it was not
 * needed. What a thread does with a notification is the supervisor's
 * ({@link Work}); the pool only counts, grows, retires and wakes.
 *
 * <p>"Every thread busy" is read as the kernel sees it: a notification waits
 * and no thread waits in NOTIF_RECV to take it. A thread that has answered
 * still tidies up (closes its files) before it waits again, and the caller it
 * answered may be back before that: with as many threads as busy callers,
 * those callers queue behind each other's tidying, and a third thread lets
 * two callers on 2 CPUs get some 40% more answers a second than a C pool of two
 * (bench/notify). A single caller never starves a pool of two: the other one
 * waits. More threads than needed cost it, though: the kernel wakes waiting
 * threads in turn (first in, first out), and with four, each took its turn
 * cold (a sixth fewer answers a second). So the core is small, the watcher
 * grows the pool when it finds a notification waiting and no thread waiting
 * {@link #STARVED_LOOKS} times in a row, and a helper retires after a
 * keep-alive period in which that was never seen.
 *
 * <p>Threads wait in NOTIF_RECV itself, as the C yardstick does (bench/notify):
 * waiting in poll(2) first cost every notification a wake-up of every idle
 * thread, a lock and a second poll. A thread blocked in NOTIF_RECV is not woken
 * when the filter's last process exits, though, so one more thread, the
 * watcher, waits in poll(2) for that hangup alone (POLLIN not asked: a new
 * notification does not wake it), and then interrupts the workers with SIGURG
 * (a handler that does nothing, installed without SA_RESTART, so NOTIF_RECV
 * fails with EINTR), again until every one has gone. It also interrupts the
 * helpers it retires, and everyone on {@link #close()}.
 */
final class NotifyPool {
    /** What one thread of the pool runs, until {@link NotifyPool#running} says no more. */
    interface Work {
        void run(Worker worker, Arena arena, NotifyCalls calls);
    }

    /** A thread of the pool as the watcher sees it. */
    static final class Worker {
        final boolean core;
        volatile boolean retire;
        /**
         * In NOTIF_RECV (or about to be: a thread just started, too, so that its
         * setup does not count as starving the pool): only then may the
         * watcher's signal reach it for retiring.
         */
        volatile boolean waiting = true;
        /** Making a call for notification {@link #blockedOn} that may block (see {@link NotifyPool#blocking}). */
        volatile boolean blocked;
        volatile long blockedOn;

        Worker(boolean core) {
            this.core = core;
        }
    }

    private static final short POLLIN = 0x1;
    private static final short POLLHUP_ERR_NVAL = 0x8 | 0x10 | 0x20;
    /** How often the watcher looks whether the supervisor was closed, the pool starved or oversized. */
    private static final int WATCH_MILLIS = 100;
    /** How often, while a worker is blocked in a call for a caller, the watcher looks whether that caller still waits. */
    private static final int BLOCKED_WATCH_MILLIS = 10;
    /**
     * How many looks in a row must find the pool starved before it grows: a
     * single caller starves it now and then for a moment (its first calls, before
     * the threads wait; a thread preempted while it tidies up), two callers on
     * two threads at three looks in four (measured).
     */
    private static final int STARVED_LOOKS = 2;
    /** How often the watcher repeats its interrupt until every worker has gone. */
    private static final int INTERRUPT_AGAIN_MILLIS = 5;

    private final Fd listener;
    private final NotifySupervisor.PoolSize size;
    private final String name;
    private final Work work;
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger handled = new AtomicInteger();
    private final CountDownLatch hangup = new CountDownLatch(1);
    /** Worker threads by kernel tid. */
    private final ConcurrentHashMap<Integer, Worker> workers = new ConcurrentHashMap<>();
    private volatile boolean hungUp;
    private volatile boolean closed;

    NotifyPool(Fd listener, NotifySupervisor.PoolSize size, String name, Work work) {
        this.listener = listener;
        this.size = size;
        this.name = name;
        this.work = work;
    }

    /** Starts the core threads and the watcher. */
    void start() {
        Interrupt.install();
        for (int i = 0; i < size.core(); i++) {
            spawn(true);
        }
        Thread.ofPlatform().daemon().name(name + "-watch").start(this::watch);
    }

    /** Whether {@code w} is to take another notification. */
    boolean running(Worker w) {
        return !closed && !hungUp && !w.retire;
    }

    /** A notification was taken (counted before the answer, which is what lets the caller go on). */
    void taken() {
        handled.incrementAndGet();
    }

    /**
     * {@code w} is about to make a call in a caller's place that may block, for
     * notification {@code id} (false: it is done with it). Until it is done, the
     * watcher interrupts it (SIGURG, the call fails with EINTR) whenever it finds
     * the notification no longer valid: a caller interrupted by a signal, or
     * gone, must not leave the supervisor's copy of its call running.
     */
    void blocking(Worker w, long id, boolean on) {
        w.blockedOn = id;
        w.blocked = on;
    }

    int liveThreads() {
        return live.get();
    }

    int handled() {
        return handled.get();
    }

    int threadsStarted() {
        return started.get();
    }

    boolean awaitHangup(Duration timeout) throws InterruptedException {
        return hangup.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the threads: those waiting in poll end within {@link #WATCH_MILLIS}, the watcher wakes the rest. */
    void close() {
        closed = true;
        hangup.countDown();
    }

    private void spawn(boolean core) {
        live.incrementAndGet();
        Thread.ofPlatform().daemon().name(name + "-" + started.incrementAndGet()).start(() -> {
            // the thread's native memory, confined to it, lives as long as it does
            try (Arena arena = Arena.ofConfined()) {
                NotifyCalls calls = new NotifyCalls(arena);
                int tid = (int) calls.syscall(LinuxConstants.SYS_gettid, 0, 0, 0, 0, 0, 0);
                Worker w = new Worker(core);
                workers.put(tid, w);
                try {
                    work.run(w, arena, calls);
                } finally {
                    workers.remove(tid);
                }
            } finally {
                live.decrementAndGet();
            }
        });
    }

    /**
     * The watcher: waits for the hangup (or close), growing and shrinking the
     * pool on the way, then interrupts workers until none is left.
     */
    private void watch() {
        try (Arena arena = Arena.ofConfined()) {
            NotifyCalls calls = new NotifyCalls(arena);
            MemorySegment pollfds = arena.allocate(8, 8);
            ByteBuffer pollfd = NotifySupervisor.view(pollfds);
            MemorySegment notificationId = arena.allocate(8, 8);
            long keepAlive = size.keepAlive().toNanos();
            long windowStart = System.nanoTime();
            boolean starvedInWindow = false;
            int starvedRun = 0;
            while (!closed) {
                pollfd.putInt(0, listener.get());
                pollfd.putShort(4, (short) 0);
                pollfd.putShort(6, (short) 0);
                // a worker blocked for a caller is looked after more often: its caller may be interrupted
                int n = calls.poll(pollfds, 1, anyBlocked() ? BLOCKED_WATCH_MILLIS : WATCH_MILLIS);
                if (n < 0 && calls.errno() != Errno.EINTR.number()) {
                    break;
                }
                if (n > 0 && (pollfd.getShort(6) & POLLHUP_ERR_NVAL) != 0) {
                    break;
                }
                starvedRun = starved(calls, pollfd, pollfds) ? starvedRun + 1 : 0;
                if (starvedRun >= STARVED_LOOKS) {
                    // callers wait with no thread to take their calls (several callers at once, or slow answers:
                    // a fifo opened for one). Decided here, a few times a second, not per notification
                    starvedRun = 0;
                    starvedInWindow = true;
                    if (live.get() < size.max()) {
                        spawn(false);
                    }
                }
                interruptAbandoned(calls, notificationId);
                long now = System.nanoTime();
                if (now - windowStart >= keepAlive) {
                    if (!starvedInWindow) {
                        retireOne(calls);
                    }
                    starvedInWindow = false;
                    windowStart = now;
                }
            }
        } catch (IllegalStateException e) {
            // the listener was closed: the supervisor is closing
        }
        hungUp = true;
        hangup.countDown();
        interruptAll();
    }

    private boolean anyBlocked() {
        for (Worker w : workers.values()) {
            if (w.blocked) {
                return true;
            }
        }
        return false;
    }

    /** Interrupts the workers blocked in calls for notifications no longer valid (again each round: a race). */
    private void interruptAbandoned(NotifyCalls calls, MemorySegment id) {
        for (var e : workers.entrySet()) {
            Worker w = e.getValue();
            if (!w.blocked) {
                continue;
            }
            id.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, w.blockedOn);
            if (calls.ioctl(listener.get(), io.jsyd.runtime.seccomp.SeccompConstants.SECCOMP_IOCTL_NOTIF_ID_VALID, id)
                    != 0 && w.blocked) {
                Interrupt.thread(calls, e.getKey());
            }
        }
    }

    /** A notification waits and no thread waits in NOTIF_RECV for one. */
    private boolean starved(NotifyCalls calls, ByteBuffer pollfd, MemorySegment pollfds) {
        for (Worker w : workers.values()) {
            if (w.waiting) {
                return false;
            }
        }
        return pending(calls, pollfd, pollfds);
    }

    private boolean pending(NotifyCalls calls, ByteBuffer pollfd, MemorySegment pollfds) {
        pollfd.putInt(0, listener.get());
        pollfd.putShort(4, POLLIN);
        pollfd.putShort(6, (short) 0);
        return calls.poll(pollfds, 1, 0) > 0 && (pollfd.getShort(6) & POLLIN) != 0;
    }

    /** Retires one helper (a waiting one: a busy one finishes first), when there is one. */
    private void retireOne(NotifyCalls calls) {
        for (var e : workers.entrySet()) {
            Worker w = e.getValue();
            if (!w.core && !w.retire && w.waiting) {
                w.retire = true;
                Interrupt.thread(calls, e.getKey());
                return;
            }
        }
    }

    /** Interrupts the workers until none is left. */
    private void interruptAll() {
        try (Arena arena = Arena.ofConfined()) {
            NotifyCalls calls = new NotifyCalls(arena);
            while (!workers.isEmpty()) {
                workers.keySet().forEach(tid -> Interrupt.thread(calls, tid));
                try {
                    Thread.sleep(INTERRUPT_AGAIN_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
