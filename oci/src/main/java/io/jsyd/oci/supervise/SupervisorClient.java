package io.jsyd.oci.supervise;

import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.EventSources;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Pidfd;
import io.jsyd.runtime.linux.UnixServer;
import io.jsyd.runtime.linux.UnixSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * `create`'s side of the hand-off: finds the daemon of the --root, starting it if
 * none listens, gives it the container and waits for its answer. All of it under
 * the client lock, so two creates never start two daemons and a daemon never
 * exits in the middle of a hand-off.
 */
public final class SupervisorClient {
    /** A JVM's start on a busy machine; a daemon that takes longer has failed. */
    private static final Duration DAEMON_START = Duration.ofSeconds(60);
    /** How long the daemon may take to answer a hand-off (it starts threads, writes two files). */
    private static final Duration ANSWER = Duration.ofSeconds(30);
    /**
     * How long a daemon with nothing to supervise stays: long enough that podman
     * or containerd starting containers one after another find it running (its
     * JVM's start costs about as much as a whole create).
     */
    public static final Duration GRACE = Duration.ofSeconds(10);

    private SupervisorClient() {
    }

    /**
     * Hands the container over; returns once the daemon supervises it.
     *
     * @param listener the supervisor filter's listener, or null when the policy only has a timeout
     * @throws IllegalStateException naming the daemon log when the daemon cannot be started or refuses
     */
    public static void handOff(SupervisorPaths paths, Handoff h, Pidfd init, Fd listener) throws IOException {
        if ((listener != null) != h.listener() || h.trace()) {
            throw new IllegalArgumentException("the hand-off's flags do not match the listener given");
        }
        try (Connection c = Connection.open(paths, h, init)) {
            if (listener != null) {
                c.sendListener(listener);
            }
            c.finish();
        }
    }

    /**
     * One hand-off in steps: under a tracer the daemon seizes the init while it waits
     * at its TRACE sync point ({@link #open} returns then), and the listener follows
     * when the init has loaded its filters. Closing it unfinished tells the daemon the
     * hand-off failed (it kills what it seized).
     */
    public static final class Connection implements AutoCloseable {
        private final SupervisorPaths paths;
        private final Handoff h;
        private final UnixSocket daemon;
        private boolean listenerSent;
        private boolean finished;

        private Connection(SupervisorPaths paths, Handoff h, UnixSocket daemon) {
            this.paths = paths;
            this.h = h;
            this.daemon = daemon;
        }

        /**
         * Finds or starts the daemon and sends the hand-off; with {@code h.trace()}
         * returns once the daemon has seized the init.
         */
        public static Connection open(SupervisorPaths paths, Handoff h, Pidfd init) throws IOException {
            Files.createDirectories(paths.dir(),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            UnixSocket daemon;
            // the lock until the daemon has our connection: then it cannot exit before serving it
            try (FileLock lock = FileLock.exclusive(paths.lock())) {
                daemon = connectOrStart(paths);
                try {
                    daemon.sendWithFd(h.toJson(), init.fd());
                } catch (RuntimeException e) {
                    daemon.close();
                    throw e;
                }
            }
            Connection c = new Connection(paths, h, daemon);
            if (h.trace()) {
                try {
                    c.expect(SupervisorDaemon.SEIZED);
                } catch (RuntimeException e) {
                    c.close();
                    throw e;
                }
            }
            return c;
        }

        /** The supervisor filter's listener, which the hand-off announced. */
        public void sendListener(Fd listener) {
            if (!h.listener() || listenerSent) {
                throw new IllegalStateException("a listener the hand-off of " + h.key() + " did not announce");
            }
            daemon.sendWithFd(SupervisorDaemon.LISTENER.getBytes(StandardCharsets.UTF_8), listener);
            listenerSent = true;
        }

        /** Returns once the daemon supervises the container. */
        public void finish() {
            if (h.listener() && !listenerSent) {
                throw new IllegalStateException("the hand-off of " + h.key() + " announced a listener that never came");
            }
            expect(SupervisorDaemon.OK);
            finished = true;
        }

        public boolean finished() {
            return finished;
        }

        private void expect(String expected) {
            if (!EventSources.awaitReadable(daemon.fd(), ANSWER.toMillis())) {
                throw new IllegalStateException("the supervisor daemon did not answer the hand-off of "
                        + h.key() + " within " + ANSWER.toSeconds() + " s (see " + paths.log() + ")");
            }
            String answer = new String(daemon.receive(64 << 10).data(), StandardCharsets.UTF_8);
            if (!answer.equals(expected)) {
                throw new IllegalStateException("the supervisor daemon refused " + (h.exec() ? "process " : "container ")
                        + h.key() + ": " + (answer.isEmpty() ? "it closed the connection (see " + paths.log() + ")"
                        : answer));
            }
        }

        @Override
        public void close() {
            daemon.close();
        }
    }

    private static UnixSocket connectOrStart(SupervisorPaths paths) {
        try {
            return UnixServer.connect(paths.socket());
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENOENT.number() && e.errno() != Errno.ECONNREFUSED.number()) {
                throw e;
            }
        }
        UnixSocket[] pair = UnixSocket.seqpacketPair();
        try (UnixSocket ours = pair[0]) {
            try (UnixSocket theirs = pair[1]) {
                DaemonProcess.start(paths.root(), paths.log(), List.of("-Xmx256m"), "supervisor-daemon",
                        List.of("--ready-fd"), theirs.fd());
            }
            // a daemon that dies before it is ready closes its end: the wait ends at once
            boolean answered = EventSources.awaitReadable(ours.fd(), DAEMON_START.toMillis());
            byte[] got = answered ? ours.receive(64).data() : new byte[0];
            if (!SupervisorDaemon.READY.equals(new String(got, StandardCharsets.UTF_8))) {
                throw new IllegalStateException("the supervisor daemon for " + paths.root() + " did not start"
                        + (answered ? "" : " within " + DAEMON_START.toSeconds() + " s") + " (see " + paths.log() + ")");
            }
        }
        return UnixServer.connect(paths.socket());
    }
}
