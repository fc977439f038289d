package io.jsyd.oci.supervise;

import io.jsyd.oci.cli.Request;
import io.jsyd.runtime.linux.EventSources;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.UnixSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

/**
 * Makes the supervisor daemon's death the death of the containers it supervised.
 *
 * <p>When the daemon dies its listeners close, and the kernel then fails every
 * supervised call with ENOSYS (runtime's ListenerCloseTest): nothing is let
 * through, but the containers would run on without their timeout and with calls
 * failing at random. Nothing in the kernel kills them: the inits are the callers'
 * children, not the daemon's, so no parent-death signal applies. Only a container
 * whose policy has ptrace checks is the daemon's tracee, and PTRACE_O_EXITKILL kills
 * its processes with the daemon; making every container a tracee for that would put
 * a ptrace stop in every container's signals and exits.
 *
 * <p>So each daemon starts one watchdog: a small JVM in a session of its own that
 * holds one end of a socketpair whose other end only the daemon has. The kernel
 * closes that end whatever way the daemon dies (exit, SIGKILL, the OOM killer), and
 * the watchdog's poll wakes at once. It then reads the markers the daemon wrote
 * into the state directories ({@link Marker}: this daemon's pid, the init's pid and
 * start time, the cgroup) and kills every container so marked, recording why. A
 * daemon that exits because it supervises nothing says "bye" first. If the watchdog
 * dies instead, the daemon sees its end close and starts another one; the window
 * in which both are gone is the daemon's own restart, and the listeners are closed
 * then (ENOSYS), never open and unanswered.
 */
public final class Watchdog {
    static final byte[] BYE = "bye".getBytes(StandardCharsets.UTF_8);

    private Watchdog() {
    }

    /** The watchdog's life: fd 3 is its end of the daemon's socketpair. */
    public static int serve(Request request, Path root, int daemonPid) {
        PrintStream err = request.err();
        warmUp();
        try (UnixSocket daemon = UnixSocket.adopt(Fd.adopt(3))) {
            while (true) {
                EventSources.awaitReadable(daemon.fd(), -1);
                byte[] got = daemon.receive(64).data();
                if (java.util.Arrays.equals(got, BYE)) {
                    return 0;
                }
                if (got.length == 0) {
                    break;
                }
            }
        }
        err.println("jsyd-oci watchdog: the supervisor daemon (pid " + daemonPid + ") died; killing what it supervised");
        killOrphans(root, daemonPid, err, Clock.systemUTC());
        return 0;
    }

    /**
     * Loads and initialises now what the kill needs (the JSON mapper, the cgroup
     * managers): done at the daemon's death it would cost most of a second.
     */
    private static void warmUp() {
        try {
            jsonWarmUp();
            Class.forName("io.jsyd.runtime.cgroup.V1Manager");
            Class.forName("io.jsyd.runtime.cgroup.V2Manager");
            io.jsyd.runtime.cgroup.CgroupHost.system();
            io.jsyd.runtime.linux.Processes.stat(io.jsyd.runtime.linux.Processes.self());
        } catch (ClassNotFoundException | RuntimeException e) {
            // only start-up cost: the kill works without it
        }
    }

    private static void jsonWarmUp() {
        io.jsyd.oci.spec.SpecJson.mapper().readValue(
                io.jsyd.oci.spec.SpecJson.compact(new Marker(1, 1, 1, java.util.Map.of("", "/x"))), Marker.class);
    }

    /** Kills every container under {@code root} that daemon {@code daemonPid} supervised, or supervised a process of. */
    static void killOrphans(Path root, int daemonPid, PrintStream err, Clock clock) {
        List<Path> markers;
        try (Stream<Path> s = Files.list(root)) {
            markers = s.filter(Files::isDirectory).flatMap(Watchdog::markersIn).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("jsyd-oci watchdog: cannot list " + root + ": " + e);
            return;
        }
        for (Path marker : markers) {
            Path dir = marker.getParent();
            String id = dir.getFileName().toString();
            try {
                Marker m = Marker.read(marker);
                if (m.daemonPid() != daemonPid) {
                    continue;
                }
                Ending.kill(id, m.initPid(), m.initStartTime(), m.cgroupDirs(),
                        sig -> io.jsyd.runtime.linux.Processes.signalIfAlive(m.initPid(), sig));
                Ending.record(dir, id, "supervisor-died", "the supervisor daemon (pid " + daemonPid
                        + ") died while it supervised the container", clock);
                Files.deleteIfExists(marker);
                err.println("jsyd-oci watchdog: killed container " + id);
            } catch (IOException | RuntimeException e) {
                err.println("jsyd-oci watchdog: container " + id + ": " + e);
            }
        }
    }

    private static Stream<Path> markersIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> Marker.isMarker(f.getFileName().toString())).toList().stream();
        } catch (IOException e) {
            // a directory delete removes meanwhile
            return Stream.empty();
        }
    }
}
