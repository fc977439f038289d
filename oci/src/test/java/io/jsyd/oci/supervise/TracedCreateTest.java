package io.jsyd.oci.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.convert.PolicySource;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * create/start of containers whose policy has ptrace checks: the supervisor daemon
 * seizes the init at its TRACE sync point, while the init stays the caller's child
 * (this test, their subreaper, as conmon and containerd's shim are). The probe is
 * the one of the run tests (oci/src/test/c/trace-probe.c).
 */
@Tag("root")
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TracedCreateTest {
    private static final String CHECKS = "trace/allow_unsafe_memory:0\nsandbox/tpe:on\n";

    @TempDir
    static Path probes;
    static Path probe;

    @BeforeAll
    static void prerequisites() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
        assumeTrue(!"3".equals(readOr(YamaScope.FILE, "")), "Yama forbids every ptrace attach here");
        probe = buildProbe();
        assumeTrue(probe != null, "needs gcc and a static glibc to build the probe");
        Processes.becomeSubreaper();
    }

    private static String readOr(Path p, String fallback) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return fallback;
        }
    }

    static Path buildProbe() throws IOException, InterruptedException {
        Path source = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && source == null; d = d.getParent()) {
            Path candidate = d.resolve("oci/src/test/c/trace-probe.c");
            source = Files.isRegularFile(candidate) ? candidate : null;
        }
        if (source == null) {
            return null;
        }
        Path binary = probes.resolve("trace-probe");
        Process p = new ProcessBuilder("gcc", "-std=gnu11", "-O1", "-static", "-o", binary.toString(),
                source.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0 ? binary : null;
    }

    @RegisterExtension
    final MadeContainers made = new MadeContainers();

    private String id(Path root, String name) {
        return made.id(root, name);
    }

    /** The daemon test's busybox bundle with the probe at /probe and a copy in a world-writable /tmp. */
    static Path bundle(Path dir, String script, String policy) throws Exception {
        Path bundle = SupervisorDaemonTest.bundle(dir, script, PolicySource.POLICY_ANNOTATION, policy);
        Path rootfs = bundle.resolve("rootfs");
        Files.copy(probe, rootfs.resolve("probe"));
        Files.copy(probe, rootfs.resolve("tmp/probe"));
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(rootfs.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        return bundle;
    }

    private static int createAndStart(Path root, Path bundle, String id) throws Exception {
        Path pidFile = bundle.resolveSibling("pid-" + id);
        Cli.Result created = SupervisorDaemonTest.external(root, "create", "-b", bundle.toString(), "--pid-file",
                pidFile.toString(), id);
        assertEquals(0, created.status(), created.err());
        Cli.Result started = Cli.run(root, "--root", root.toString(), "start", id);
        assertEquals(0, started.status(), started.err());
        return Integer.parseInt(Files.readString(pidFile).strip());
    }

    static String read(Path dir, String name) throws IOException {
        Path f = dir.resolve("out").resolve(name);
        return Files.exists(f) ? Files.readString(f).strip() : "";
    }

    static List<JsonNode> decisions(Path root, String id) throws IOException {
        Path log = root.resolve(id).resolve(SupervisorPaths.SANDBOX_LOG);
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(log)) {
            for (String l : Files.readAllLines(log)) {
                JsonNode n = SpecJson.mapper().readTree(l);
                if (n.has("syscall")) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    static void waitFor(Path file) throws InterruptedException {
        for (int i = 0; i < 2000 && !Files.exists(file); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(file), file + " never appeared");
    }

    private static boolean alive(int pid) {
        Processes.StatLine s = Processes.stat(pid);
        return s != null && s.state() != 'Z' && s.state() != 'X';
    }

    /** The process whose thread traces {@code pid} (TracerPid names the thread), or 0. */
    static int tracerOf(int pid) throws IOException {
        int thread = Integer.parseInt(field(pid, "TracerPid:"));
        return thread == 0 ? 0 : Integer.parseInt(field(thread, "Tgid:"));
    }

    private static String field(int pid, String name) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith(name)) {
                return l.substring(name.length()).strip();
            }
        }
        throw new IOException("no " + name + " in /proc/" + pid + "/status");
    }

    @Test
    void theDaemonTracesTheInitAndItsRefusalsAreLoggedWhileTheCallerReapsIt(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "tc-checks");
        // ptrace checks and a confined category together: seize, then the listener
        Path bundle = bundle(dir, "/probe wx-mmap > /out/wx; /probe rw-mmap > /out/rw; /probe exec /tmp/probe > /out/tmp;"
                + " /probe exec /probe > /out/root; cat /etc/secret > /out/secret 2>/dev/null; touch /out/done;"
                + " sleep 1; exit 3", CHECKS + SupervisorDaemonTest.POLICY);
        int pid = createAndStart(root, bundle, id);
        waitFor(dir.resolve("out/done"));
        int daemon = Integer.parseInt(Files.readString(new SupervisorPaths(root).pidFile()).strip());
        assertEquals(daemon, tracerOf(pid), "the daemon traces the init");
        assertEquals(ProcessHandle.current().pid(),
                ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L),
                "the init stays the caller's child");
        // the caller sees the traced init's own exit status
        assertEquals(3, Processes.waitFor(pid).exitCode());
        List<JsonNode> d = decisions(root, id);
        assertEquals("errno 13", read(dir, "wx"), d.toString());
        assertEquals("ok", read(dir, "rw"));
        assertEquals("errno 13", read(dir, "tmp"));
        assertEquals("hello", read(dir, "root"));
        assertEquals("", read(dir, "secret"));
        assertEquals(3, d.size(), d.toString());
        assertEquals("memory", d.get(0).get("category").asString());
        assertEquals("mmap", d.get(0).get("syscall").asString());
        assertEquals("tpe", d.get(1).get("category").asString());
        assertEquals("/tmp/probe", d.get(1).get("path").asString());
        assertEquals("/etc/secret", d.get(2).get("path").asString());
        for (JsonNode n : d) {
            assertEquals(id, n.get("id").asString());
        }
    }

    @Test
    void killPauseResumeAndDeleteWorkOnATracedContainer(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "tc-life");
        // every turn stops the init's child at the tracer (exec, mmap): pauses land amid ptrace stops
        Path bundle = bundle(dir, "trap 'echo term > /out/term; exit 7' TERM; i=0; while true; do i=$((i+1));"
                + " echo $i > /out/n; /probe exec /probe > /dev/null; /probe rw-mmap > /dev/null; done", CHECKS);
        int pid = createAndStart(root, bundle, id);
        waitFor(dir.resolve("out/n"));
        for (int round = 0; round < 5; round++) {
            Cli.Result paused = Cli.run(root, "--root", root.toString(), "pause", id);
            assertEquals(0, paused.status(), paused.err());
            assertEquals("paused", state(root, id).get("status").asString());
            String frozen = read(dir, "n");
            Thread.sleep(200);
            assertEquals(frozen, read(dir, "n"), "a paused container runs on");
            Cli.Result resumed = Cli.run(root, "--root", root.toString(), "resume", id);
            assertEquals(0, resumed.status(), resumed.err());
            assertTrue(advances(dir, frozen), "the container did not run on after resume (round " + round + ")");
        }
        // a signal goes through the tracer to the init's handler
        Cli.Result killed = Cli.run(root, "--root", root.toString(), "kill", id, "TERM");
        assertEquals(0, killed.status(), killed.err());
        assertEquals(7, Processes.waitFor(pid).exitCode());
        assertEquals("term", read(dir, "term"));
        assertEquals("stopped", state(root, id).get("status").asString());
        Cli.Result deleted = Cli.run(root, "--root", root.toString(), "delete", id);
        assertEquals(0, deleted.status(), deleted.err());
        assertFalse(Files.exists(root.resolve(id)));
    }

    @Test
    void aRunningTracedContainerIsKilledAndDeletedByForce(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "tc-force");
        Path bundle = bundle(dir, "touch /out/done; while true; do /probe exec /probe > /dev/null; done", CHECKS);
        int pid = createAndStart(root, bundle, id);
        waitFor(dir.resolve("out/done"));
        Cli.Result deleted = Cli.run(root, "--root", root.toString(), "delete", "--force", id);
        assertEquals(0, deleted.status(), deleted.err());
        assertEquals(137, Processes.waitFor(pid).exitCode());
        assertFalse(Files.exists(root.resolve(id)));
    }

    @Test
    void killingTheDaemonKillsTheTracedContainer(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "tc-orphan");
        // ptrace checks only: no listener to close, exit-kill and the watchdog end it
        Path bundle = bundle(dir, "touch /out/done; exec sleep 60", CHECKS);
        int pid = createAndStart(root, bundle, id);
        waitFor(dir.resolve("out/done"));
        int daemon = Integer.parseInt(Files.readString(new SupervisorPaths(root).pidFile()).strip());
        assertEquals(daemon, tracerOf(pid));
        long before = System.nanoTime();
        Processes.kill(daemon, 9);
        for (int i = 0; i < 500 && alive(pid); i++) {
            Thread.sleep(10);
        }
        long millis = (System.nanoTime() - before) / 1_000_000;
        assertFalse(alive(pid), "the traced container outlived its supervisor");
        assertTrue(millis < 1000, "the container died " + millis + " ms after its supervisor");
        assertEquals(137, Processes.waitFor(pid).exitCode());
    }

    private static boolean advances(Path dir, String from) throws Exception {
        for (int i = 0; i < 500; i++) {
            String now = read(dir, "n");
            if (!now.isEmpty() && !now.equals(from)) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    private static JsonNode state(Path root, String id) {
        Cli.Result r = Cli.run(root, "--root", root.toString(), "state", id);
        assertEquals(0, r.status(), r.err());
        return SpecJson.mapper().readTree(r.out());
    }
}
