package io.jsyd.shim.task;

import io.jsyd.shim.sys.ShimSys;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * The shim is a subreaper and reaps every child: its containers' inits, their
 * exec'd processes, and orphans the kernel hands it. The launchers reap their own
 * short-lived helpers (the init stub) by pid while they run, so a launch holds the
 * read side of a lock and the reaper reaps only under the write side: it never
 * takes a child a launcher is about to wait for. A process is registered before
 * its launch lets go of the lock, so no exit is ever reaped unseen.
 *
 * <p>Processes under a sandbox policy's ptrace checks belong to their tracer (a
 * thread of this process): it alone waits for their stops and their exits, the
 * init's included, which waitid shows this thread too. So the reaper only looks
 * (WNOWAIT) and reaps by pid what is neither a trace stop nor a traced process,
 * and while a tracer's event waits it lets the tracer take it first.
 */
public final class Reaper {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Integer, IntConsumer> watched = new HashMap<>();
    private final Object children = new Object();
    private final PrintStream log;
    private boolean maybeChildren;
    /** Whether a tracer of this process follows a pid (its stops and exit are the tracer's). */
    private volatile IntPredicate traced = pid -> false;
    /** How long the reaper leaves a tracer to take its pending event. */
    private static final long TRACER_TURN_MILLIS = 2;

    public Reaper(PrintStream log) {
        this.log = log;
    }

    /** Something that starts children and registers them before it returns. */
    @FunctionalInterface
    public interface Launch<T, E extends Exception> {
        T run(Registrar registrar) throws E;
    }

    /** Registers a child so that its exit status goes to {@code onExit} (on the reaper's thread). */
    @FunctionalInterface
    public interface Registrar {
        void watch(int pid, IntConsumer onExit);
    }

    /** Runs {@code launch} with the reaper held off; the children it registers are reaped after. */
    public <T, E extends Exception> T launch(Launch<T, E> launch) throws E {
        lock.readLock().lock();
        try {
            return launch.run((pid, onExit) -> {
                synchronized (watched) {
                    watched.put(pid, onExit);
                }
            });
        } finally {
            lock.readLock().unlock();
            synchronized (children) {
                maybeChildren = true;
                children.notifyAll();
            }
        }
    }

    /** Tells the reaper which pids a tracer of this process follows (the task service using it does, at its start). */
    public void leaveTraced(IntPredicate traced) {
        this.traced = traced;
    }

    /** Forgets {@code pid}: its tracer reaped it and reported its exit. */
    public void forget(int pid) {
        synchronized (watched) {
            watched.remove(pid);
        }
    }

    /** Starts the reaping thread (a platform thread: it sits in waitid). */
    public Thread start() {
        return Thread.ofPlatform().daemon().name("reaper").start(this::loop);
    }

    private void loop() {
        boolean[] none = new boolean[1];
        while (true) {
            ShimSys.Pending p;
            none[0] = false;
            try {
                p = ShimSys.peek(true, none);
            } catch (RuntimeException e) {
                log.println("reaper: " + e.getMessage());
                p = null;
            }
            if (p == null) {
                // no children at all: sleep until a launch may have made one
                synchronized (children) {
                    while (!maybeChildren) {
                        try {
                            children.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    maybeChildren = false;
                }
                continue;
            }
            boolean tracersTurn;
            lock.writeLock().lock();
            try {
                tracersTurn = reapAll();
            } finally {
                lock.writeLock().unlock();
            }
            if (tracersTurn) {
                try {
                    Thread.sleep(TRACER_TURN_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Reaps what has exited and is ours; true when a tracer's event is in the way. */
    private boolean reapAll() {
        boolean[] none = new boolean[1];
        ShimSys.Pending p;
        while ((p = ShimSys.peek(false, none)) != null) {
            if (!p.exit() || traced.test(p.pid())) {
                return true;
            }
            ShimSys.Reaped r = ShimSys.reap(p.pid());
            if (r == null) {
                // someone else's to wait for after all: look again after a turn
                return true;
            }
            IntConsumer onExit;
            synchronized (watched) {
                onExit = watched.remove(r.pid());
            }
            if (onExit != null) {
                try {
                    onExit.accept(r.exitStatus());
                } catch (RuntimeException e) {
                    e.printStackTrace(log);
                }
            }
        }
        return false;
    }
}
