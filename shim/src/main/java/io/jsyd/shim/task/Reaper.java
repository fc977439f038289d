package io.jsyd.shim.task;

import io.jsyd.shim.sys.ShimSys;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntConsumer;

/**
 * The shim is a subreaper and reaps every child: its containers' inits, their
 * exec'd processes, and orphans the kernel hands it. The launchers reap their own
 * short-lived helpers (the init stub) by pid while they run, so a launch holds the
 * read side of a lock and the reaper reaps only under the write side: it never
 * takes a child a launcher is about to wait for. A process is registered before
 * its launch lets go of the lock, so no exit is ever reaped unseen.
 */
public final class Reaper {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Integer, IntConsumer> watched = new HashMap<>();
    private final Object children = new Object();
    private final PrintStream log;
    private boolean maybeChildren;

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

    /** Starts the reaping thread (a platform thread: it sits in waitid). */
    public Thread start() {
        return Thread.ofPlatform().daemon().name("reaper").start(this::loop);
    }

    private void loop() {
        while (true) {
            boolean any;
            try {
                any = ShimSys.awaitAnyExit();
            } catch (RuntimeException e) {
                log.println("reaper: " + e.getMessage());
                any = false;
            }
            if (!any) {
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
            lock.writeLock().lock();
            try {
                ShimSys.Reaped r;
                while ((r = ShimSys.reapAny()) != null) {
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
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
