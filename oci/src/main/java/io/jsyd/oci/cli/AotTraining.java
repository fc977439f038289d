package io.jsyd.oci.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run for the JDK's AOT cache (JEP 483/514): scripts/lay-out starts
 * the JVM once with {@code -XX:AOTCacheOutput} and this main, which runs the
 * commands that callers really issue, in process, so that the classes each of
 * them loads and links are in the cache. Everything happens in a scratch
 * directory that is removed afterwards; the state root points there too, so
 * training never touches a real container.
 *
 * <p>The exit status of each command does not matter (several are meant to fail:
 * a usage error, a missing container, an invalid bundle); the classes of the
 * failure paths belong in the cache as much as those of the happy paths. Only a
 * command that throws is reported, because that is a bug in the command line.
 *
 * <p>As root, with a static busybox at {@value #BUSYBOX}, it also runs a real
 * container ({@code busybox true}), so that the path of {@code run} (JNA, the
 * kernel, the init stub) is in the cache too. A command that has not returned
 * after {@link #PATIENCE} stops the training with a failure rather than hanging
 * the build.
 */
public final class AotTraining {
    static final String BUSYBOX = "/bin/busybox";
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        // The real entry point is not run here (it exits), but its class and the
        // request it builds from the process (environment, cwd) belong in the cache.
        Class.forName(Main.class.getName());
        Request.ofProcess(args);
        Path scratch = Files.createTempDirectory("jsyd-oci-aot-");
        boolean container = canRunContainers();
        List<List<String>> commands = commands(scratch, container);
        int failures = 0;
        try {
            prepare(scratch, container);
            for (List<String> command : commands) {
                failures += runBounded(command, scratch) ? 0 : 1;
            }
        } finally {
            deleteTree(scratch);
        }
        // A command that threw is worth a loud line, but the cache made from the
        // others is still good, so the install goes on.
        System.err.println("jsyd-oci aot training: " + commands.size() + " commands"
                + (container ? " (one runs a container)" : " (no container: not root, or no " + BUSYBOX + ")")
                + ", " + failures + " of them threw");
    }

    /** The command lines, in the order a caller tends to issue them. */
    static List<List<String>> commands(Path scratch, boolean container) {
        String bundle = scratch.resolve("bundle").toString();
        String bad = scratch.resolve("bad").toString();
        String root = scratch.resolve("state").toString();
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("--version"));
        commands.add(List.of("spec", "--bundle", bundle));
        commands.add(List.of("spec", "--rootless", "--bundle", scratch.resolve("rootless").toString()));
        commands.add(List.of("check", "-b", bundle));
        commands.add(List.of("check", "-b", bad));
        commands.add(List.of("features"));
        if (container) {
            commands.add(List.of("--root", root, "run", "-b", scratch.resolve("busybox").toString(),
                    "aot-training-" + ProcessHandle.current().pid()));
        }
        commands.add(List.of("--root", root, "state", "nonexistent"));
        commands.add(List.of("--root", root, "list"));
        commands.add(List.of("--root", root, "kill", "nonexistent", "KILL"));
        commands.add(List.of("--root", root, "delete", "--force", "nonexistent"));
        commands.add(List.of("--no-such-flag"));
        commands.add(List.of("no-such-command"));
        commands.add(List.of("--help"));
        return commands;
    }

    /** Runs the command on its own thread, so that one that hangs ends the training instead. */
    private static boolean runBounded(List<String> command, Path scratch) throws InterruptedException {
        boolean[] returned = {false};
        Thread worker = Thread.ofPlatform().name("aot-training").daemon().start(
                () -> returned[0] = runQuietly(command, scratch));
        if (!worker.join(PATIENCE)) {
            System.err.println("jsyd-oci aot training: " + String.join(" ", command) + ": no answer after "
                    + PATIENCE.toSeconds() + " s");
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }
        return returned[0];
    }

    private static boolean runQuietly(List<String> command, Path scratch) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Request request = new Request(command, Map.of("PATH", "/usr/bin:/bin"), scratch,
                new ByteArrayInputStream(new byte[0]), sink, sink);
        try {
            int status = JsydOci.execute(request);
            System.err.println("jsyd-oci aot training: " + String.join(" ", command) + ": exit " + status);
            return true;
        } catch (RuntimeException | Error e) {
            System.err.println("jsyd-oci aot training: " + String.join(" ", command) + ": threw " + e);
            return false;
        }
    }

    /** A container needs root and a busybox that runs without the host's libraries. */
    private static boolean canRunContainers() throws IOException {
        if (!Files.isExecutable(Path.of(BUSYBOX))) {
            return false;
        }
        // The real uid, from the kernel's own account of this process.
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1].equals("0");
            }
        }
        return false;
    }

    /**
     * The bundles: two with an empty rootfs for {@code spec} and {@code check}; one
     * whose config's {@code process.args} is a string, so {@code check} walks its
     * error path too; and, for {@code run}, one with busybox in its rootfs and a
     * config like {@code runc spec}'s that runs {@code busybox true}.
     */
    private static void prepare(Path scratch, boolean container) throws IOException {
        for (String name : List.of("bundle", "bad", "rootless")) {
            Files.createDirectories(scratch.resolve(name).resolve("rootfs"));
        }
        Files.writeString(scratch.resolve("bad").resolve("config.json"), """
                {"ociVersion": "1.3.0", "process": {"cwd": "/", "args": "sh"}, "root": {"path": "rootfs"}}
                """);
        if (container) {
            Path bin = Files.createDirectories(scratch.resolve("busybox").resolve("rootfs").resolve("bin"));
            Files.copy(Path.of(BUSYBOX), bin.resolve("busybox"));
            Files.writeString(scratch.resolve("busybox").resolve("config.json"), BUSYBOX_CONFIG);
        }
    }

    private static final String BUSYBOX_CONFIG = """
            {
              "ociVersion": "1.0.2",
              "process": {
                "terminal": false,
                "user": {"uid": 0, "gid": 0},
                "args": ["/bin/busybox", "true"],
                "env": ["PATH=/bin"],
                "cwd": "/",
                "capabilities": {
                  "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
                  "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
                },
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                "noNewPrivileges": true
              },
              "root": {"path": "rootfs", "readonly": true},
              "hostname": "aot-training",
              "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
                 "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                 "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
                 "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs",
                 "options": ["nosuid", "noexec", "nodev", "ro"]}
              ],
              "linux": {
                "resources": {"devices": [{"allow": false, "access": "rwm"}]},
                "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                               {"type": "mount"}],
                "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
                "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
              }
            }
            """;

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
