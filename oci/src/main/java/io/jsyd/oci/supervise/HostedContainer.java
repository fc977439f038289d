package io.jsyd.oci.supervise;

import io.jsyd.oci.state.StateStore;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Pidfd;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.supervisor.DecisionLog;
import io.jsyd.runtime.supervisor.NotifySupervisor;
import io.jsyd.runtime.supervisor.StartedDeadline;
import io.jsyd.runtime.supervisor.Supervision;
import io.jsyd.runtime.trace.PtraceSupervisor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One container in the daemon, or one process `exec` started in a container: its
 * supervision parts (the ptrace tracer when the policy has a ptrace check on, the
 * notify pool when it confines a category, the container's timeout when it has
 * one), all closed when the process exits. Two threads watch a container: one
 * waits on the init's pidfd, one tells the parts when `start` removed the exec fifo.
 */
final class HostedContainer {
    /** How often the start watcher looks for the exec fifo: the timeout's start is this late at most. */
    private static final long START_POLL_MILLIS = 50;

    private final Handoff h;
    private final Path stateDir;
    private final Pidfd init;
    private final PrintStream sandboxLog;
    private final PrintStream daemonLog;
    private final Clock clock;
    private final List<Supervision> parts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private DecisionLog decisions;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private HostedContainer(Handoff h, Pidfd init, PrintStream sandboxLog, PrintStream daemonLog, Clock clock) {
        this.h = h;
        this.stateDir = Path.of(h.stateDir());
        this.init = init;
        this.sandboxLog = sandboxLog;
        this.daemonLog = daemonLog;
        this.clock = clock;
    }

    /**
     * Begins hosting: opens the sandbox log and writes the marker (from here on the
     * watchdog kills the container if the daemon dies). The parts come next:
     * {@link #trace}, {@link #notify}, then {@link #begin}. On failure the caller
     * {@link #abandon}s it.
     */
    static HostedContainer open(Handoff h, Pidfd init, int daemonPid, PrintStream daemonLog, Clock clock)
            throws IOException {
        Path dir = Path.of(h.stateDir());
        // a line is one append (the buffer takes it whole, the newline flushes it): a container and
        // the processes exec'd in it log into the same file
        PrintStream log = new PrintStream(new java.io.BufferedOutputStream(
                new FileOutputStream(dir.resolve(SupervisorPaths.SANDBOX_LOG).toFile(), true), 1 << 16),
                true, StandardCharsets.UTF_8);
        HostedContainer c = new HostedContainer(h, init, log, daemonLog, clock);
        try {
            new Marker(daemonPid, h.initPid(), h.initStartTime(), h.cgroupDirs()).write(dir, c.markerName());
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return c;
    }

    /**
     * Seizes the process, which waits at its TRACE sync point, on a tracer thread of
     * its own ({@link PtraceSupervisor}: the thread that seizes owns the tracees).
     * Exit-kill ties the container to that thread: if it ends, or the daemon dies,
     * every tracee is killed.
     */
    void trace(Policy policy) {
        YamaScope.checkAttachAllowed();
        parts.add(new Traced(PtraceSupervisor.start(h.initPid(), policy, decisions(),
                () -> end("exit", "the policy's exit action ended the container"), "jsyd-ptrace-" + h.key())));
    }

    /** Answers the process's supervisor filter on {@code listener}, which is ours from now on. */
    void notify(Policy policy, Fd listener) {
        parts.add(NotifySupervisor.start(listener, policy.compile(), decisions(),
                () -> end("exit", "the policy's exit action ended the container"),
                NotifySupervisor.PoolSize.forThisMachine(), "jsyd-notify-" + h.key(), h.exec() ? 0 : h.initPid()));
    }

    /**
     * The timeout (the container's own, never an exec'd process's) and the two
     * watcher threads.
     *
     * @param gone called once, on the watcher thread, after the process exited and the parts were closed
     */
    void begin(Policy policy, Consumer<HostedContainer> gone) {
        if (!h.exec()) {
            policy.timeout().ifPresent(t -> parts.add(new StartedDeadline(t,
                    () -> end("timeout", "the policy's timeout of " + format(t) + " expired"),
                    "jsyd-timeout-" + h.id())));
        }
        Thread.ofPlatform().daemon().name("jsyd-init-" + h.key()).start(() -> {
            try {
                init.awaitExit(-1);
            } catch (RuntimeException e) {
                // a pidfd that cannot be polled: no container runs on without its supervisor
                daemonLog.println("jsyd-oci supervisor: container " + h.key() + ": waiting for its process: " + e);
                end("supervisor-error", "the supervisor lost track of the container's process: " + e.getMessage());
            } finally {
                close();
                gone.accept(this);
            }
        });
        if (h.exec()) {
            // an exec'd process runs at once
            parts.forEach(Supervision::started);
        } else {
            Thread.ofPlatform().daemon().name("jsyd-start-" + h.id()).start(this::watchStart);
        }
    }

    /** A hand-off that failed half-way: the process is killed (never left half supervised), the parts closed. */
    void abandon() {
        init.signal(9);
        close();
    }

    private DecisionLog decisions() {
        if (decisions == null) {
            decisions = new DecisionLog(sandboxLog, h.id(), clock);
        }
        return decisions;
    }

    private String markerName() {
        return h.exec() ? Marker.execName(h.initPid()) : SupervisorPaths.MARKER;
    }

    /** The tracer as one part of the supervision. */
    private record Traced(PtraceSupervisor tracer) implements Supervision {
        @Override
        public void close() {
            tracer.close();
        }
    }

    String key() {
        return h.key();
    }

    private void watchStart() {
        Path fifo = stateDir.resolve(StateStore.EXEC_FIFO);
        try {
            while (!closed.get() && Files.exists(fifo)) {
                Thread.sleep(START_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            return;
        }
        if (!closed.get()) {
            for (Supervision p : parts) {
                p.started();
            }
        }
    }

    /** Ends the container (once) and records why. */
    void end(String reason, String message) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        // the reason first: whoever sees the container stopped (state, events) finds it
        try {
            Ending.record(stateDir, h.id(), reason, message, clock);
        } catch (IOException | RuntimeException e) {
            daemonLog.println("jsyd-oci supervisor: container " + h.id() + ": cannot record why it stopped: " + e);
        }
        try {
            Ending.kill(h.id(), h.initPid(), h.initStartTime(), h.cgroupDirs(), init::signal);
        } catch (RuntimeException e) {
            daemonLog.println("jsyd-oci supervisor: container " + h.id() + ": kill: " + e);
        }
    }

    /** Stops supervising: the parts, the marker, the log, the pidfd. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Supervision p : parts) {
            try {
                p.close();
            } catch (RuntimeException e) {
                daemonLog.println("jsyd-oci supervisor: container " + h.id() + ": closing " + p + ": " + e);
            }
        }
        try {
            Files.deleteIfExists(stateDir.resolve(markerName()));
        } catch (IOException e) {
            // the state directory is being removed by delete: nothing to keep
        }
        sandboxLog.close();
        init.close();
    }

    private static String format(java.time.Duration t) {
        return t.toMillis() % 1000 == 0 ? t.toSeconds() + "s" : t.toMillis() + "ms";
    }
}
