package io.jsyd.oci.supervise;

import io.jsyd.oci.state.StateStore;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Pidfd;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.supervisor.DecisionLog;
import io.jsyd.runtime.supervisor.NotifySupervisor;
import io.jsyd.runtime.supervisor.StartedDeadline;
import io.jsyd.runtime.supervisor.Supervision;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One container in the daemon: its supervision parts (the notify pool when the
 * policy confines a category, the timeout when it has one; a ptrace tracer
 * later), all closed when the init exits. Two threads watch it: one waits on the
 * init's pidfd, one tells the parts when `start` removed the exec fifo.
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
    private final List<Supervision> parts = new ArrayList<>();
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
     * Starts supervising. On failure everything made is closed again (the caller
     * still owns {@code init} and {@code listener} then).
     *
     * @param gone called once, on the watcher thread, after the init exited and the parts were closed
     */
    static HostedContainer start(Handoff h, Policy policy, Pidfd init, Fd listener, int daemonPid,
                                 PrintStream daemonLog, Clock clock, Consumer<HostedContainer> gone) throws IOException {
        Path dir = Path.of(h.stateDir());
        PrintStream log = new PrintStream(new FileOutputStream(dir.resolve(SupervisorPaths.SANDBOX_LOG).toFile(), true),
                true, StandardCharsets.UTF_8);
        HostedContainer c = new HostedContainer(h, init, log, daemonLog, clock);
        try {
            new Marker(daemonPid, h.initPid(), h.initStartTime(), h.cgroupDirs()).write(dir);
            if (listener != null) {
                c.parts.add(NotifySupervisor.start(listener, policy.compile(), new DecisionLog(log, h.id(), clock),
                        () -> c.end("exit", "the policy's exit action ended the container"),
                        NotifySupervisor.PoolSize.forThisMachine(), "jsyd-notify-" + h.id(), h.initPid()));
            }
            policy.timeout().ifPresent(t -> c.parts.add(new StartedDeadline(t,
                    () -> c.end("timeout", "the policy's timeout of " + format(t) + " expired"),
                    "jsyd-timeout-" + h.id())));
        } catch (IOException | RuntimeException e) {
            c.parts.forEach(Supervision::close);
            log.close();
            Files.deleteIfExists(dir.resolve(SupervisorPaths.MARKER));
            throw e;
        }
        Thread.ofPlatform().daemon().name("jsyd-init-" + h.id()).start(() -> {
            try {
                init.awaitExit(-1);
            } catch (RuntimeException e) {
                // a pidfd that cannot be polled: no container runs on without its supervisor
                daemonLog.println("jsyd-oci supervisor: container " + h.id() + ": waiting for its init: " + e);
                c.end("supervisor-error", "the supervisor lost track of the container's init: " + e.getMessage());
            } finally {
                c.close();
                gone.accept(c);
            }
        });
        Thread.ofPlatform().daemon().name("jsyd-start-" + h.id()).start(c::watchStart);
        return c;
    }

    String id() {
        return h.id();
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
            Files.deleteIfExists(stateDir.resolve(SupervisorPaths.MARKER));
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
