package io.jsyd.shim;

import io.jsyd.shim.proto.task.ConnectRequest;
import io.jsyd.shim.proto.task.CreateTaskRequest;
import io.jsyd.shim.proto.task.DeleteRequest;
import io.jsyd.shim.proto.task.ShutdownRequest;
import io.jsyd.shim.proto.task.StartRequest;
import io.jsyd.shim.proto.task.StateRequest;
import io.jsyd.shim.proto.task.WaitRequest;
import io.jsyd.shim.task.Publisher;
import io.jsyd.shim.task.Reaper;
import io.jsyd.shim.task.TaskService;
import io.jsyd.shim.ttrpc.TtrpcClient;
import io.jsyd.shim.ttrpc.TtrpcException;
import io.jsyd.shim.ttrpc.TtrpcServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the shim's AOT cache (scripts/lay-out shim): the front end's
 * own training (its commands, and as root a container), then what a shim does: the
 * flags of `start`, a task service on a scratch socket answering a ttrpc client,
 * and as root with a static busybox a container created, started, exec'd into,
 * waited for and deleted in-process, as containerd drives it, then one under a
 * sandbox policy (the notify pool, the sandbox log). Leaving the front end's
 * training out does not make the cache smaller (measured: the same size, the same
 * resident memory of a serving shim).
 */
public final class AotTraining {
    private static final String BUSYBOX = "/bin/busybox";

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        io.jsyd.oci.cli.AotTraining.main(args);
        Class.forName(Main.class.getName());
        ShimFlags.parse(List.of("-namespace", "default", "-address", "/run/containerd/containerd.sock",
                "-publish-binary", "/usr/bin/containerd", "-id", "aot", "start"));
        Path scratch = Files.createTempDirectory("jsyd-shim-aot-");
        try {
            train(scratch);
        } finally {
            try (Stream<Path> paths = Files.walk(scratch)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    private static void train(Path scratch) throws Exception {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true);
        Path socket = scratch.resolve("s");
        Reaper reaper = new Reaper(sink);
        reaper.start();
        boolean container = Files.isExecutable(Path.of(BUSYBOX)) && ProcessHandle.current().info().user()
                .map("root"::equals).orElse(false);
        try (Publisher events = new Publisher(null, "default", sink);
             ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             TtrpcServer server = new TtrpcServer(List.of(new TaskService(scratch.resolve("state"), reaper, events,
                     sink, () -> { })), sink, true)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    server.serve(listener);
                } catch (IOException e) {
                    System.err.println("containerd-shim-jsyd-v2 aot training: threw " + e);
                }
            });
            try (TtrpcClient client = new TtrpcClient(socket)) {
                call(client, "Connect", ConnectRequest.newBuilder().setId("aot").build());
                call(client, "State", StateRequest.newBuilder().setId("nonexistent").build());
                if (container) {
                    Path bundle = scratch.resolve("bundle");
                    Path bin = Files.createDirectories(bundle.resolve("rootfs").resolve("bin"));
                    Files.copy(Path.of(BUSYBOX), bin.resolve("busybox"));
                    Files.writeString(bundle.resolve("config.json"), CONFIG);
                    String id = "aot-" + ProcessHandle.current().pid();
                    runTask(client, id, bundle);
                    // the same under a sandbox policy: the shim hosts its supervision
                    Path confined = scratch.resolve("confined");
                    Path cbin = Files.createDirectories(confined.resolve("rootfs").resolve("bin"));
                    Files.copy(Path.of(BUSYBOX), cbin.resolve("busybox"));
                    Files.writeString(confined.resolve("config.json"), CONFIG.replace("\"root\": {",
                            "\"annotations\": {\"org.jsyd.policy\": \"sandbox/read:on\\nallow/read+/***\"},\n  \"root\": {"));
                    runTask(client, id + "-p", confined);
                }
                call(client, "Shutdown", ShutdownRequest.newBuilder().setId("aot").build());
            }
        }
        System.err.println("containerd-shim-jsyd-v2 aot training: done" + (container ? " (with a container)" : ""));
    }

    /** Create, Start, an exec'd process, Wait, State, Delete: what containerd calls for `ctr run`. */
    private static void runTask(TtrpcClient client, String id, Path bundle) {
        call(client, "Create", CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build());
        call(client, "Exec", io.jsyd.shim.proto.task.ExecProcessRequest.newBuilder().setId(id).setExecId("e")
                .setSpec(com.google.protobuf.Any.newBuilder()
                        .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Process")
                        .setValue(com.google.protobuf.ByteString.copyFromUtf8(EXEC))).build());
        call(client, "Start", StartRequest.newBuilder().setId(id).build());
        call(client, "Start", StartRequest.newBuilder().setId(id).setExecId("e").build());
        call(client, "Wait", WaitRequest.newBuilder().setId(id).setExecId("e").build());
        call(client, "Delete", DeleteRequest.newBuilder().setId(id).setExecId("e").build());
        call(client, "Wait", WaitRequest.newBuilder().setId(id).build());
        call(client, "State", StateRequest.newBuilder().setId(id).build());
        call(client, "Delete", DeleteRequest.newBuilder().setId(id).build());
    }

    private static final String EXEC = """
            {"args": ["/bin/busybox", "true"], "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
            """;

    private static void call(TtrpcClient client, String method, com.google.protobuf.MessageLite req) {
        try {
            client.call(TaskService.NAME, method, req, Map.of());
        } catch (TtrpcException e) {
            // refusals are part of the training (State of a container that does not exist)
        } catch (IOException e) {
            System.err.println("containerd-shim-jsyd-v2 aot training: " + method + ": threw " + e);
        }
    }

    private static final String CONFIG = """
            {
              "ociVersion": "1.0.2",
              "process": {
                "user": {"uid": 0, "gid": 0},
                "args": ["/bin/busybox", "sleep", "0.3"],
                "env": ["PATH=/bin"],
                "cwd": "/",
                "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
                "noNewPrivileges": true
              },
              "root": {"path": "rootfs", "readonly": true},
              "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
              "linux": {
                "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]
              }
            }
            """;
}
