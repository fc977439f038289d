package io.jsyd.oci.cli.server;

import io.jsyd.oci.cli.JsydOci;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.cli.ServedCommands;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.cgroup.CgroupHost;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.linux.EventSources;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.FdStreams;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.UnixServer;
import io.jsyd.runtime.linux.UnixSocket;
import io.jsyd.runtime.spawn.ProcessParent;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The resident command server: a JVM that stays up between invocations and runs
 * the commands that {@link ServedCommands} allows for the native jsyd-oci client,
 * which would otherwise pay a JVM start for each (state, start, kill, delete, ...
 * are called many times per container by podman and containerd's shim).
 *
 * <p>One server per build (the socket's name carries the build's id) and per
 * effective uid (only root runs one: the directory is root's, mode 0700, and the
 * peer's uid is checked). The client starts it on demand; it exits after
 * {@code idle} without a request. A request arrives as one message with the
 * client's stdin, stdout and stderr attached ({@link ClientRequest}); the command
 * runs with them and its working directory and environment, on a thread of its
 * own, exactly as {@link JsydOci#execute} runs it in a JVM of its own.
 */
public final class CommandServer {
    private final Path socket;
    private final Duration idle;
    private final PrintStream log;
    private final AtomicInteger active = new AtomicInteger();
    /** System.nanoTime() of the last accept or the last request's end. */
    private final AtomicLong lastActivity = new AtomicLong();
    private final long ownUid = Processes.effectiveUid();
    private final String identity;
    private final boolean leaveCallerCgroups;

    private CommandServer(Path socket, Duration idle, PrintStream log, String identity, boolean leaveCallerCgroups) {
        this.socket = socket;
        this.idle = idle;
        this.log = log;
        this.identity = identity;
        this.leaveCallerCgroups = leaveCallerCgroups;
    }

    /**
     * Serves at {@code socket} until idle; returns the process's exit status. A
     * second server for the same socket finds the lock taken and returns 0 at once.
     *
     * @param leaveCallerCgroups move this process to the top cgroup of every
     *        hierarchy first: the client that started it may sit in a cgroup its
     *        caller removes later (podman's conmon does)
     */
    public static int serve(Path socket, Duration idle, PrintStream log, boolean leaveCallerCgroups) {
        String identity;
        try {
            identity = ClientRequest.identityOfThisProcess();
        } catch (IOException | UnsupportedOperationException e) {
            log.println("jsyd-oci command server: cannot tell its own namespaces: " + e);
            return 1;
        }
        return new CommandServer(socket, idle, log, identity, leaveCallerCgroups).run();
    }

    private int run() {
        Path dir = socket.getParent();
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            say("cannot make " + dir + ": " + e);
            return 1;
        }
        Optional<FileLock> lock = FileLock.tryExclusive(dir.resolve(socket.getFileName() + ".lock"));
        if (lock.isEmpty()) {
            return 0; // another server of this build is starting or serving
        }
        try (FileLock held = lock.get()) {
            Files.deleteIfExists(socket); // a server that died left it
            if (leaveCallerCgroups) {
                for (String failure : Cgroups.moveToTops(CgroupHost.system(), Processes.self())) {
                    say("staying in a cgroup of the caller: " + failure);
                }
            }
            try (UnixServer listener = UnixServer.listen(socket, (int) LinuxConstants.SOMAXCONN)) {
                say("serving at " + socket + " (pid " + Processes.self() + ")");
                acceptUntilIdle(listener);
                // No one can connect once the name is gone; whoever connected before is served.
                Files.deleteIfExists(socket);
                while (EventSources.awaitReadable(listener.fd(), 0)) {
                    handleInThread(listener.accept());
                }
            }
            while (active.get() > 0) {
                Thread.sleep(10);
            }
            say("idle for " + idle.toSeconds() + " s: exiting");
            return 0;
        } catch (IOException | SyscallException e) {
            say("stopped: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Returns once no request has run for {@code idle}, counted from the end of the last one. */
    private void acceptUntilIdle(UnixServer listener) {
        lastActivity.set(System.nanoTime());
        while (true) {
            long quietFor = System.nanoTime() - lastActivity.get();
            long wait = Math.max(1, (idle.toNanos() - quietFor) / 1_000_000L);
            if (EventSources.awaitReadable(listener.fd(), wait)) {
                handleInThread(listener.accept());
            } else if (active.get() == 0 && System.nanoTime() - lastActivity.get() >= idle.toNanos()) {
                return;
            }
        }
    }

    private void handleInThread(UnixSocket connection) {
        active.incrementAndGet();
        lastActivity.set(System.nanoTime());
        Thread.ofPlatform().name("jsyd-oci-request").start(() -> {
            try (connection) {
                handle(connection);
            } catch (RuntimeException e) {
                say("request failed: " + e);
            } finally {
                lastActivity.set(System.nanoTime());
                active.decrementAndGet();
            }
        });
    }

    private void handle(UnixSocket connection) {
        UnixSocket.ReceivedFds message = connection.receive(ClientRequest.MAX_SIZE, ClientRequest.STDIO_FDS);
        List<Fd> stdio = message.fds();
        try {
            if (message.data().length == 0) {
                return; // the client went away before it asked
            }
            long peer = connection.peerUid();
            if (peer != ownUid) {
                say("refused a request from uid " + peer);
                return;
            }
            ClientRequest request;
            try {
                request = ClientRequest.decode(message.data());
            } catch (ClientRequest.MalformedException e) {
                say("refused a malformed request: " + e.getMessage());
                return;
            }
            // A client in other namespaces (a pid namespace, a private mount of the
            // cgroup tree) sees other pids and paths: it runs the command itself.
            ServedCommands.Where where = ServedCommands.where(request.args());
            if (stdio.size() != ClientRequest.STDIO_FDS || !request.identity().equals(identity)
                    || where == ServedCommands.Where.CLIENT) {
                connection.send(ClientRequest.answerDirect());
                return;
            }
            // the command's files (state, pid file, exec fifo) get the client's umask, as in its own JVM
            Processes.privateFsForThisThread(request.umask());
            int status = ScopedValue.where(ProcessParent.CURRENT, new ClientParent(connection, request.cgroups()))
                    .call(() -> execute(request, stdio));
            connection.send(ClientRequest.answerExit(status));
        } finally {
            stdio.forEach(Fd::close);
        }
    }

    private static int execute(ClientRequest request, List<Fd> stdio) {
        // The streams do not own the descriptors: handle() closes them after the answer.
        InputStream in = FdStreams.input(stdio.get(0), "stdin");
        PrintStream out = new PrintStream(new BufferedOutputStream(FdStreams.output(stdio.get(1), "stdout")),
                false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new BufferedOutputStream(FdStreams.output(stdio.get(2), "stderr")),
                false, StandardCharsets.UTF_8);
        int status = JsydOci.execute(new Request(request.args(), request.env(), request.cwd(), in, out, err));
        out.flush();
        err.flush();
        return status;
    }

    private void say(String line) {
        log.println(Instant.now() + " jsyd-oci command server: " + line);
        log.flush();
    }
}
