package io.jsyd.oci.supervise;

import io.jsyd.oci.cli.Request;
import io.jsyd.runtime.linux.EventSources;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Pidfd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.UnixServer;
import io.jsyd.runtime.linux.UnixSocket;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyException;
import io.jsyd.runtime.policy.PolicyWire;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The supervisor daemon of one --root: hosts the live supervision of every
 * container that `create` hands over (the ptrace tracer, the notify pool, the
 * timeout) and of every process `exec` starts in a container with a policy, so the
 * container's init can stay the caller's child as with runc. One thread accepts
 * connections and serves each on a thread of its own; each container has its own
 * tracer thread (one per container: the thread that seizes owns the tracees, and a
 * tracer's failure kills only its own container) and watcher threads
 * ({@link HostedContainer}). When it has supervised nothing for {@code grace} it
 * exits: under the client lock, so a `create` either finds it listening or starts
 * a new one, never one that is going away.
 *
 * <p>Protocol (SOCK_SEQPACKET, one message each): the client sends the
 * {@link Handoff} as JSON with the init's pidfd attached. With {@code trace} the
 * daemon seizes the init (which waits at its TRACE sync point) and answers
 * {@value #SEIZED}. If the hand-off says so, the client then sends {@value #LISTENER}
 * with the seccomp listener attached (under a tracer only once the init loaded its
 * filters). The daemon answers {@value #OK} once it supervises the container, or
 * {@code error: MESSAGE} at any step. Each connection is served on a thread of its
 * own. A process `exec` started in a container is handed over the same way
 * ({@link Handoff#exec()}).
 */
public final class SupervisorDaemon {
    static final String LISTENER = "listener";
    static final String OK = "ok";
    static final String READY = "ready";
    /** The answer to a hand-off with {@code trace}: the process is seized, its TRACE sync may be acked. */
    static final String SEIZED = "seized";
    /** How long a hand-off waits for the listener the client announced: the init is being set up meanwhile. */
    private static final Duration LISTENER_WAIT = Duration.ofSeconds(60);

    /** The longest hand-off message: a policy of some thousand rules with their origins. */
    static final int MAX_MESSAGE = 4 << 20;
    private static final long TICK_MILLIS = 200;

    private final SupervisorPaths paths;
    private final PrintStream log;
    private final Clock clock;
    private final Map<String, HostedContainer> containers = new ConcurrentHashMap<>();
    /** The keys of {@link #containers} and of the hand-offs still running. */
    private final java.util.Set<String> claimed = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final int pid = Processes.self();
    private volatile long idleSince = System.nanoTime();
    private UnixSocket watchdog;
    private int watchdogPid;

    private SupervisorDaemon(SupervisorPaths paths, PrintStream log, Clock clock) {
        this.paths = paths;
        this.log = log;
        this.clock = clock;
    }

    /**
     * Runs the daemon until it is idle for {@code grace}. {@code readyFd} (fd 3 from
     * the client that started it) gets {@value #READY} once the socket listens.
     */
    public static int serve(Request request, Path root, Duration grace, boolean readyFd) throws IOException {
        SupervisorPaths paths = new SupervisorPaths(root);
        SupervisorDaemon d = new SupervisorDaemon(paths, request.err(), Clock.systemUTC());
        // started under the client's lock: a socket file here is a dead daemon's
        Files.deleteIfExists(paths.socket());
        try (UnixServer server = UnixServer.listen(paths.socket(), 64)) {
            // before the watchdog, which so starts there too
            DaemonCgroup.enter(d.pid).ifPresent(why -> d.log.println(d.clock.instant()
                    + " jsyd-oci supervisor: staying in the cgroups of the caller: " + why));
            d.startWatchdog();
            Files.writeString(paths.pidFile(), d.pid + "\n");
            d.log.println(d.clock.instant() + " jsyd-oci supervisor daemon " + d.pid + " serves " + root);
            if (readyFd) {
                try (UnixSocket ready = UnixSocket.adopt(Fd.adopt(3))) {
                    ready.send(READY.getBytes(StandardCharsets.UTF_8));
                }
            }
            d.loop(server, grace);
        }
        return 0;
    }

    private void loop(UnixServer server, Duration grace) {
        while (true) {
            if (EventSources.awaitReadable(server.fd(), TICK_MILLIS)) {
                try {
                    UnixSocket client = server.accept();
                    inFlight.incrementAndGet();
                    try {
                        Thread.ofPlatform().daemon().name("jsyd-handoff").start(() -> serveOne(client));
                    } catch (RuntimeException | OutOfMemoryError e) {
                        inFlight.decrementAndGet();
                        client.close();
                        throw e;
                    }
                } catch (RuntimeException e) {
                    log.println(clock.instant() + " jsyd-oci supervisor: a hand-off failed: " + e);
                }
            }
            if (EventSources.awaitReadable(watchdog.fd(), 0)) {
                log.println(clock.instant() + " jsyd-oci supervisor: the watchdog died; starting another");
                watchdog.close();
                Processes.waitFor(watchdogPid);
                startWatchdog();
            }
            if (idle() && System.nanoTime() - idleSince > grace.toNanos() && exitIfStillIdle(server)) {
                return;
            }
        }
    }

    /**
     * Exits only holding the client lock: a client that holds it now is handing a
     * container over (to us, or, once we are gone, to a daemon it starts).
     */
    private boolean exitIfStillIdle(UnixServer server) {
        // never wait for the lock: its holder may be waiting for our answer
        java.util.Optional<FileLock> taken = FileLock.tryExclusive(paths.lock());
        if (taken.isEmpty()) {
            return false;
        }
        try (FileLock lock = taken.get()) {
            if (!idle() || EventSources.awaitReadable(server.fd(), 0)) {
                return false;
            }
            Files.deleteIfExists(paths.socket());
            Files.deleteIfExists(paths.pidFile());
            watchdog.send(Watchdog.BYE);
            watchdog.close();
            log.println(clock.instant() + " jsyd-oci supervisor daemon " + pid + " exits: it supervises nothing");
            return true;
        } catch (IOException e) {
            log.println(clock.instant() + " jsyd-oci supervisor: remove " + paths.socket() + ": " + e);
            return false;
        }
    }

    private void startWatchdog() {
        UnixSocket[] pair = UnixSocket.seqpacketPair();
        try (UnixSocket theirs = pair[1]) {
            watchdogPid = DaemonProcess.start(paths.root(), paths.log(), List.of("-Xmx16m", "-XX:TieredStopAtLevel=1"),
                    "supervisor-watchdog", List.of("--daemon-pid", Integer.toString(pid)), theirs.fd());
        } catch (RuntimeException e) {
            pair[0].close();
            throw e;
        }
        watchdog = pair[0];
    }

    /** Serves one connection on its own thread: a hand-off under a tracer lasts as long as the init's setup. */
    private void serveOne(UnixSocket client) {
        try (client) {
            handOff(client);
        } catch (RuntimeException e) {
            log.println(clock.instant() + " jsyd-oci supervisor: a hand-off failed: " + e);
        } finally {
            inFlight.decrementAndGet();
            idleSince = System.nanoTime();
        }
    }

    private void handOff(UnixSocket client) {
        UnixSocket.Received first = client.receive(MAX_MESSAGE);
        Pidfd init = null;
        HostedContainer c = null;
        Handoff h = null;
        String claim = null;
        try {
            if (first.fd() == null) {
                throw new IllegalArgumentException("the hand-off carries no pidfd");
            }
            h = Handoff.fromJson(first.data());
            init = Pidfd.adopt(first.fd(), h.initPid());
            Policy policy = PolicyWire.decode(h.policy());
            if (!claimed.add(h.key())) {
                throw new IllegalStateException("container " + h.key() + " is supervised already");
            }
            claim = h.key();
            c = HostedContainer.open(h, init, pid, log, clock);
            if (h.trace()) {
                c.trace(policy);
                // the process waits at its TRACE sync point for this answer
                client.send(SEIZED.getBytes(StandardCharsets.UTF_8));
            }
            if (h.listener()) {
                c.notify(policy, receiveListener(client, h));
            }
            containers.put(h.key(), c);
            c.begin(policy, this::gone);
            log.println(clock.instant() + " jsyd-oci supervisor: supervising " + (h.exec() ? "process " : "container ")
                    + h.key() + " (pid " + h.initPid() + ")");
        } catch (PolicyException | IOException | RuntimeException e) {
            if (c != null) {
                c.abandon();
            } else if (init != null) {
                init.close();
            } else if (first.fd() != null) {
                first.fd().close();
            }
            if (claim != null) {
                claimed.remove(claim);
            }
            String message = e instanceof PolicyException p ? String.join("; ", p.lines()) : String.valueOf(e.getMessage());
            try {
                client.send(("error: " + message).getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException gone) {
                e.addSuppressed(gone);
            }
            log.println(clock.instant() + " jsyd-oci supervisor: refused " + (h == null ? "a hand-off" : h.key())
                    + ": " + message);
            return;
        }
        // the container is ours now: a client gone meanwhile kills its init, and the pidfd tells us
        client.send(OK.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The listener, which under a tracer comes a little after the seize (the init
     * loads the tracer's filter, then the supervisor's): a client that dies meanwhile
     * closes the connection, and the wait ends.
     */
    private static Fd receiveListener(UnixSocket client, Handoff h) {
        if (!EventSources.awaitReadable(client.fd(), LISTENER_WAIT.toMillis())) {
            throw new IllegalStateException("no listener came for " + h.key() + " within "
                    + LISTENER_WAIT.toSeconds() + " s");
        }
        UnixSocket.Received second = client.receive(64);
        if (second.fd() == null || !LISTENER.equals(new String(second.data(), StandardCharsets.UTF_8))) {
            if (second.fd() != null) {
                second.fd().close();
            }
            throw new IllegalArgumentException("the hand-off announced a listener but sent none");
        }
        return second.fd();
    }

    private boolean idle() {
        return claimed.isEmpty() && inFlight.get() == 0;
    }

    private void gone(HostedContainer c) {
        containers.remove(c.key(), c);
        claimed.remove(c.key());
        log.println(clock.instant() + " jsyd-oci supervisor: " + c.key() + " ended");
        if (idle()) {
            idleSince = System.nanoTime();
        }
    }
}
