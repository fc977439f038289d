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
 * container that `create` hands over (the notify pool, the timeout), so the
 * container's init can stay the caller's child as with runc. One thread accepts
 * hand-offs one at a time; each container has its own watcher threads
 * ({@link HostedContainer}). When it has supervised nothing for {@code grace} it
 * exits: under the client lock, so a `create` either finds it listening or starts
 * a new one, never one that is going away.
 *
 * <p>Protocol (SOCK_SEQPACKET, one message each): the client sends the
 * {@link Handoff} as JSON with the init's pidfd attached, then, if the handoff says
 * so, {@value #LISTENER} with the seccomp listener attached; the daemon answers
 * {@value #OK} once it supervises the container, or {@code error: MESSAGE}.
 */
public final class SupervisorDaemon {
    static final String LISTENER = "listener";
    static final String OK = "ok";
    static final String READY = "ready";
    /** The longest hand-off message: a policy of some thousand rules with their origins. */
    static final int MAX_MESSAGE = 4 << 20;
    private static final long TICK_MILLIS = 200;

    private final SupervisorPaths paths;
    private final PrintStream log;
    private final Clock clock;
    private final Map<String, HostedContainer> containers = new ConcurrentHashMap<>();
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
                try (UnixSocket client = server.accept()) {
                    serveOne(client);
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
            if (containers.isEmpty() && System.nanoTime() - idleSince > grace.toNanos() && exitIfStillIdle(server)) {
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
            if (!containers.isEmpty() || EventSources.awaitReadable(server.fd(), 0)) {
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

    private void serveOne(UnixSocket client) {
        UnixSocket.Received first = client.receive(MAX_MESSAGE);
        Fd listener = null;
        Pidfd init = null;
        try {
            if (first.fd() == null) {
                throw new IllegalArgumentException("the hand-off carries no pidfd");
            }
            Handoff h = Handoff.fromJson(first.data());
            init = Pidfd.adopt(first.fd(), h.initPid());
            if (h.listener()) {
                UnixSocket.Received second = client.receive(64);
                if (second.fd() == null || !LISTENER.equals(new String(second.data(), StandardCharsets.UTF_8))) {
                    if (second.fd() != null) {
                        second.fd().close();
                    }
                    throw new IllegalArgumentException("the hand-off announced a listener but sent none");
                }
                listener = second.fd();
            }
            Policy policy = PolicyWire.decode(h.policy());
            if (containers.containsKey(h.id())) {
                throw new IllegalStateException("container " + h.id() + " is supervised already");
            }
            HostedContainer c = HostedContainer.start(h, policy, init, listener, pid, log, clock, this::gone);
            containers.put(h.id(), c);
            log.println(clock.instant() + " jsyd-oci supervisor: supervising container " + h.id() + " (init "
                    + h.initPid() + ")");
        } catch (PolicyException | IOException | RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            if (init != null) {
                init.close();
            } else if (first.fd() != null) {
                first.fd().close();
            }
            String message = e instanceof PolicyException p ? String.join("; ", p.lines()) : String.valueOf(e.getMessage());
            client.send(("error: " + message).getBytes(StandardCharsets.UTF_8));
            return;
        }
        // the container is ours now: a client gone meanwhile kills its init, and the pidfd tells us
        client.send(OK.getBytes(StandardCharsets.UTF_8));
    }

    private void gone(HostedContainer c) {
        containers.remove(c.id(), c);
        log.println(clock.instant() + " jsyd-oci supervisor: container " + c.id() + " ended");
        if (containers.isEmpty()) {
            idleSince = System.nanoTime();
        }
    }
}
