package io.jsyd.shim;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.BuildInfo;
import io.jsyd.oci.lifecycle.Delete;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.Spawn;
import io.jsyd.shim.proto.task.DeleteResponse;
import io.jsyd.shim.sys.ShimSys;
import io.jsyd.shim.task.Publisher;
import io.jsyd.shim.task.Reaper;
import io.jsyd.shim.task.TaskService;
import io.jsyd.shim.ttrpc.TtrpcServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import tools.jackson.databind.JsonNode;

/**
 * containerd-shim-jsyd-v2: `start` starts (or finds) the shim of a pod and prints
 * its socket address, `delete` cleans up after a shim that died, and without an
 * action the process serves the task API. A function of its invocation: no
 * System.* here (Main hands everything in).
 */
public final class ShimMain {
    /**
     * Annotations that put containers in one shim, the first found wins (containerd's
     * runc.v2 reads the same CRI one); else each container gets its own.
     */
    static final List<String> GROUP_LABELS = List.of("io.containerd.jsyd.v2.group", "io.containerd.runc.v2.group",
            "io.kubernetes.cri.sandbox-id");
    /** How long `start` waits for the new shim to listen. */
    private static final long START_WAIT_MILLIS = 60_000;
    private static final long START_POLL_MILLIS = 10;

    /**
     * @param launcher the absolute path of this shim's launcher, which `start` runs
     *                 again to serve (null when the JVM was not started by it)
     */
    public record Invocation(List<String> args, Map<String, String> env, Path cwd, PrintStream out, PrintStream err,
                             String launcher) {
    }

    private ShimMain() {
    }

    public static int run(Invocation inv) {
        try {
            ShimFlags f = ShimFlags.parse(inv.args());
            if (f.version()) {
                inv.out().println("containerd-shim-jsyd-v2:");
                inv.out().println("  Version:  " + BuildInfo.version());
                return 0;
            }
            if (f.namespace().isEmpty()) {
                throw new ShimException("shim namespace cannot be empty");
            }
            return switch (f.action()) {
                case "start" -> start(inv, f);
                case "delete" -> delete(inv, f);
                case "" -> serve(inv, f);
                default -> throw new ShimException("unknown action " + f.action() + " (start, delete, or none to serve)");
            };
        } catch (ShimException e) {
            inv.err().println("containerd-shim-jsyd-v2: " + e.getMessage());
            return 1;
        }
    }

    /** The pod this container belongs to, from its config's annotations; else its own id. */
    static String group(Path bundle, String id) throws ShimException {
        Path config = bundle.resolve("config.json");
        JsonNode annotations;
        try {
            annotations = io.jsyd.oci.spec.SpecJson.mapper().readTree(config.toFile()).path("annotations");
        } catch (RuntimeException e) {
            throw new ShimException("read " + config + ": " + e.getMessage(), e);
        }
        for (String label : GROUP_LABELS) {
            JsonNode v = annotations.get(label);
            if (v != null && v.isString() && !v.asString().isEmpty()) {
                return v.asString();
            }
        }
        return id;
    }

    private static boolean canConnect(Path socket) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int start(Invocation inv, ShimFlags f) throws ShimException {
        if (inv.launcher() == null) {
            throw new ShimException("start: run me through the containerd-shim-jsyd-v2 launcher");
        }
        Path bundle = inv.cwd();
        Path socket = ShimPaths.socket(f.address(), f.namespace(), group(bundle, f.id()));
        String address = "unix://" + socket;
        if (!canConnect(socket)) {
            try {
                Files.createDirectories(socket.getParent());
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new ShimException("prepare the shim socket " + socket + ": " + e.getMessage(), e);
            }
            spawnServer(inv, f, bundle, socket);
        }
        try {
            // the file containerd and a later `delete` read the address from
            Path tmp = bundle.resolve(".address");
            Files.writeString(tmp, address);
            Files.move(tmp, bundle.resolve("address"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ShimException("write " + bundle.resolve("address") + ": " + e.getMessage(), e);
        }
        inv.out().print(address);
        inv.out().flush();
        return 0;
    }

    /**
     * The serving shim: this launcher again without an action, in a process group of
     * its own (containerd's signals to the group of `start` must not reach it), its
     * stderr the bundle's log fifo when containerd reads it, and `start` returns once
     * it listens.
     */
    private static void spawnServer(Invocation inv, ShimFlags f, Path bundle, Path socket) throws ShimException {
        List<String> argv = new ArrayList<>(List.of(inv.launcher(), "-namespace", f.namespace(), "-id", f.id(),
                "-address", f.address(), "-publish-binary", f.publishBinary(), "-socket", socket.toString()));
        if (f.debug()) {
            argv.add("-debug");
        }
        List<String> env = new ArrayList<>();
        inv.env().forEach((k, v) -> env.add(k + "=" + v));
        int pid;
        try (Fd devNull = ShimSys.open(Path.of("/dev/null"), (int) LinuxConstants.O_RDWR, 0);
             Fd devNull2 = devNull.dupAtLeast(3);
             Fd log = logFifo(bundle, devNull)) {
            pid = Spawn.spawn(inv.launcher(), argv, env, 0, List.of(new Spawn.FdMove(devNull, 0),
                    new Spawn.FdMove(devNull2, 1), new Spawn.FdMove(log, 2)), true, "/");
        } catch (KernelException e) {
            throw new ShimException("start the shim server: " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + START_WAIT_MILLIS * 1_000_000;
        while (!canConnect(socket)) {
            Processes.WaitStatus ended = Processes.poll(pid);
            if (ended != null) {
                throw new ShimException("the shim server exited before it listened (status " + ended.exitCode()
                        + "; its log is the bundle's log fifo)");
            }
            if (System.nanoTime() > deadline) {
                Processes.signalIfAlive(pid, 9);
                throw new ShimException("the shim server did not listen on " + socket + " within "
                        + START_WAIT_MILLIS / 1000 + "s");
            }
            try {
                Thread.sleep(START_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ShimException("interrupted while the shim server started");
            }
        }
    }

    /** containerd's reader of the bundle's log fifo, opened without waiting; /dev/null when nobody reads. */
    private static Fd logFifo(Path bundle, Fd devNull) {
        Path log = bundle.resolve("log");
        try {
            return ShimSys.open(log, (int) (LinuxConstants.O_WRONLY | LinuxConstants.O_NONBLOCK), 0);
        } catch (KernelException e) {
            return devNull.dupAtLeast(3);
        }
    }

    /** After a shim died: the container goes (forced), its rootfs is detached, and a DeleteResponse is printed. */
    private static int delete(Invocation inv, ShimFlags f) {
        Path bundle = f.bundle().isEmpty() ? inv.cwd() : Path.of(f.bundle());
        try {
            Delete.delete(ShimPaths.stateRoot(f.address(), f.namespace()), f.id(), true, inv.err());
        } catch (OciException | RuntimeException e) {
            inv.err().println("containerd-shim-jsyd-v2: delete " + f.id() + ": " + e.getMessage());
        }
        try {
            io.jsyd.shim.task.TaskService.unmountRootfs(bundle);
        } catch (KernelException e) {
            inv.err().println("containerd-shim-jsyd-v2: unmount the rootfs of " + f.id() + ": " + e.getMessage());
        }
        Instant now = Instant.now();
        DeleteResponse r = DeleteResponse.newBuilder().setExitStatus(128 + 9)
                .setExitedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond())
                        .setNanos(now.getNano())).build();
        try {
            r.writeTo(inv.out());
        } catch (IOException e) {
            inv.err().println("containerd-shim-jsyd-v2: " + e.getMessage());
            return 1;
        }
        inv.out().flush();
        return 0;
    }

    // the server is closed explicitly before the accept thread is joined, and again (a no-op) by the try
    @SuppressWarnings("try")
    private static int serve(Invocation inv, ShimFlags f) throws ShimException {
        if (f.socket().isEmpty()) {
            throw new ShimException("serve: -socket PATH is required (start passes it)");
        }
        Path socket = Path.of(f.socket().replaceFirst("^unix://", ""));
        PrintStream log = inv.err();
        Processes.becomeSubreaper();
        Reaper reaper = new Reaper(log);
        reaper.start();
        String ttrpc = inv.env().get("TTRPC_ADDRESS");
        CountDownLatch done = new CountDownLatch(1);
        try (Publisher events = new Publisher(ttrpc == null || ttrpc.isEmpty() ? null : Path.of(ttrpc),
                f.namespace(), log)) {
            TaskService tasks = new TaskService(ShimPaths.stateRoot(f.address(), f.namespace()), reaper, events, log,
                    done::countDown);
            try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                 TtrpcServer server = new TtrpcServer(List.of(tasks), log, f.debug())) {
                listener.bind(UnixDomainSocketAddress.of(socket));
                Thread serving = Thread.ofPlatform().daemon().name("ttrpc-accept").start(() -> {
                    try {
                        server.serve(listener);
                    } catch (IOException e) {
                        log.println("containerd-shim-jsyd-v2: serving " + socket + ": " + e.getMessage());
                        done.countDown();
                    }
                });
                done.await();
                server.close();
                serving.join(5_000);
            } catch (IOException e) {
                throw new ShimException("serve on " + socket + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Files.deleteIfExists(socket);
                } catch (IOException e) {
                    log.println("containerd-shim-jsyd-v2: remove " + socket + ": " + e.getMessage());
                }
            }
        }
        return 0;
    }
}
