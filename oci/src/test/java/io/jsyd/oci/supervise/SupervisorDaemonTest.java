package io.jsyd.oci.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.lifecycle.LifecycleTest;
import io.jsyd.oci.convert.PolicySource;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * create/start of containers with a sandbox policy: the supervisor daemon of the
 * --root hosts their notify pool and timeout. The test is the containers' subreaper,
 * as conmon and containerd's shim are.
 */
@Tag("root")
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SupervisorDaemonTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    static final String POLICY = "sandbox/read,write:on\nallow/read+/***\ndeny/read+/etc/secret\n"
            + "allow/write+/out/***\nallow/write+/dev/null\n";

    @BeforeAll
    static void prerequisites() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
        Processes.becomeSubreaper();
    }

    @RegisterExtension
    final MadeContainers made = new MadeContainers();

    private String id(Path root, String name) {
        return made.id(root, name);
    }

    static Path bundle(Path dir, String script, String... annotations) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        assertEquals(0, Cli.run(bundle, "spec").status());
        Path rootfs = bundle.resolve("rootfs");
        for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "out", "etc")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "cat", "echo", "sleep", "touch")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/secret"), "hidden\n");
        Files.writeString(rootfs.resolve("etc/open"), "visible\n");
        Path out = Files.createDirectories(dir.resolve("out"));
        ObjectNode config = (ObjectNode) SpecJson.mapper().readTree(Files.readString(bundle.resolve("config.json")));
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        process.putArray("args").add("sh").add("-c").add(script);
        ObjectNode mount = ((ArrayNode) config.get("mounts")).addObject();
        mount.put("destination", "/out").put("type", "bind").put("source", out.toString());
        mount.putArray("options").add("rbind").add("rw");
        ObjectNode a = config.putObject("annotations");
        for (int i = 0; i < annotations.length; i += 2) {
            a.put(annotations[i], annotations[i + 1]);
        }
        Files.writeString(bundle.resolve("config.json"), SpecJson.pretty(config));
        return bundle;
    }

    /** The runtime in its own JVM: it exits, the init (and the daemon it started) stay. */
    static Cli.Result external(Path root, String... args) throws Exception {
        return LifecycleTest.external(root, args);
    }

    private static int createAndStart(Path root, Path bundle, String id) throws Exception {
        Path pidFile = bundle.resolveSibling("pid-" + id);
        Cli.Result created = external(root, "create", "-b", bundle.toString(), "--pid-file", pidFile.toString(), id);
        assertEquals(0, created.status(), created.err());
        Cli.Result started = Cli.run(root, "--root", root.toString(), "start", id);
        assertEquals(0, started.status(), started.err());
        return Integer.parseInt(Files.readString(pidFile).strip());
    }

    private static JsonNode state(Path root, String id) {
        Cli.Result r = Cli.run(root, "--root", root.toString(), "state", id);
        assertEquals(0, r.status(), r.err());
        return SpecJson.mapper().readTree(r.out());
    }

    private static int daemonPid(Path root) throws Exception {
        return Integer.parseInt(Files.readString(new SupervisorPaths(root).pidFile()).strip());
    }

    private static boolean alive(int pid) {
        Processes.StatLine s = Processes.stat(pid);
        return s != null && s.state() != 'Z' && s.state() != 'X';
    }

    private static void waitFor(Path file) throws InterruptedException {
        for (int i = 0; i < 1000 && !Files.exists(file); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(file), file + " never appeared");
    }

    private static List<String> sandboxLines(Path root, String id) throws Exception {
        Path log = root.resolve(id).resolve(SupervisorPaths.SANDBOX_LOG);
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void aDeniedReadUnderCreateStartIsRefusedLoggedAndStreamed(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "sd-read");
        Path bundle = bundle(dir, "cat /etc/open > /out/open; cat /etc/secret > /out/secret 2> /out/err;"
                + " echo $? > /out/rc; touch /out/done; sleep 2", PolicySource.POLICY_ANNOTATION, POLICY);
        int pid = createAndStart(root, bundle, id);
        waitFor(dir.resolve("out/done"));
        assertEquals("visible\n", Files.readString(dir.resolve("out/open")));
        assertEquals("", Files.readString(dir.resolve("out/secret")));
        assertEquals("1", Files.readString(dir.resolve("out/rc")).strip());
        assertTrue(Files.readString(dir.resolve("out/err")).contains("Permission denied"));
        List<String> lines = sandboxLines(root, id);
        assertEquals(1, lines.size(), String.join("\n", lines));
        JsonNode line = SpecJson.mapper().readTree(lines.getFirst());
        assertEquals(id, line.get("id").asString());
        assertEquals("/etc/secret", line.get("path").asString());
        assertEquals("deny/read+/etc/secret", line.get("rule").asString());
        assertEquals("annotation " + PolicySource.POLICY_ANNOTATION + " in " + bundle.resolve("config.json") + ":3",
                line.get("origin").asString());
        // the recorded policy, as create read it
        Cli.Result shown = Cli.run(root, "--root", root.toString(), "policy", "show", id);
        assertEquals(0, shown.status(), shown.err());
        assertTrue(shown.out().contains("deny/read+/etc/secret"), shown.out());
        // events streams the decision until the container ends
        Cli.Result events = Cli.run(root, "--root", root.toString(), "events", "--interval", "1s", id);
        assertEquals(0, events.status(), events.err());
        String sandboxEvent = events.out().lines().filter(l -> l.contains("\"type\":\"sandbox\"")).findFirst().orElse("");
        assertTrue(sandboxEvent.contains("/etc/secret"), events.out());
        assertEquals(0, Processes.waitFor(pid).exitCode());
    }

    @Test
    void theTimeoutKillsTheContainerAndStateSaysWhy(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "sd-timeout");
        // the timeout from an administrator's file (create --policy) this time
        Path bundle = bundle(dir, "sleep 60");
        Path policy = Files.writeString(dir.resolve("t.jsyd"), "timeout:1s\n");
        Path pidFile = dir.resolve("pid");
        Cli.Result created = external(root, "create", "--policy", policy.toString(), "-b", bundle.toString(),
                "--pid-file", pidFile.toString(), id);
        assertEquals(0, created.status(), created.err());
        assertEquals("timeout:1s\n", Cli.run(root, "--root", root.toString(), "policy", "show", id).out());
        assertEquals(0, Cli.run(root, "--root", root.toString(), "start", id).status());
        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        // the caller reaps the init: SIGKILL, which runc's callers report as 137
        assertEquals(137, Processes.waitFor(pid).exitCode());
        JsonNode s = state(root, id);
        assertEquals("stopped", s.get("status").asString());
        assertTrue(s.get("annotations").get(StopReason.STATE_ANNOTATION).asString().contains("timeout"), s.toString());
        assertTrue(sandboxLines(root, id).stream().anyMatch(l -> l.contains("\"reason\":\"timeout\"")));
    }

    @Test
    void killingTheDaemonKillsItsContainersWithinASecond(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "sd-orphan");
        Path bundle = bundle(dir, "touch /out/done; cat /etc/open > /dev/null; exec sleep 60",
                PolicySource.POLICY_ANNOTATION, POLICY);
        int pid = createAndStart(root, bundle, id);
        waitFor(dir.resolve("out/done"));
        int daemon = daemonPid(root);
        long before = System.nanoTime();
        Processes.kill(daemon, 9);
        boolean dead = false;
        while (!dead && System.nanoTime() - before < 5_000_000_000L) {
            dead = !alive(pid);
            Thread.sleep(5);
        }
        long millis = (System.nanoTime() - before) / 1_000_000;
        assertTrue(dead, "the container outlived its supervisor");
        assertTrue(millis < 1000, "the container died " + millis + " ms after its supervisor");
        assertEquals(137, Processes.waitFor(pid).exitCode());
        // the watchdog kills first and then writes why
        JsonNode why = null;
        for (int i = 0; i < 100 && why == null; i++) {
            why = state(root, id).get("annotations").get(StopReason.STATE_ANNOTATION);
            Thread.sleep(20);
        }
        assertTrue(why != null && why.asString().contains("supervisor daemon"), String.valueOf(why));
    }

    @Test
    void twoContainersShareOneDaemonWhichExitsWhenIdle(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String one = id(root, "sd-one");
        String two = id(root, "sd-two");
        Path bundle = bundle(dir, "exec sleep 60", PolicySource.POLICY_ANNOTATION, POLICY);
        createAndStart(root, bundle, one);
        int daemon = daemonPid(root);
        createAndStart(root, bundle, two);
        assertEquals(daemon, daemonPid(root));
        String log = Files.readString(new SupervisorPaths(root).log());
        assertTrue(log.contains("supervising container " + one) && log.contains("supervising container " + two), log);
        for (String id : List.of(one, two)) {
            Cli.Result deleted = Cli.run(root, "--root", root.toString(), "delete", "--force", id);
            assertEquals(0, deleted.status(), deleted.err());
        }
        // SupervisorClient.GRACE, and then some
        for (int i = 0; i < 600 && alive(daemon); i++) {
            Thread.sleep(50);
        }
        assertFalse(alive(daemon), "the daemon stayed with nothing to supervise");
        assertFalse(Files.exists(new SupervisorPaths(root).socket()));
    }

    @Test
    void theDaemonAndItsWatchdogLeaveTheCallersCgroupsForTheirOwn(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "sd-cgroup");
        Path bundle = bundle(dir, "exec sleep 60", PolicySource.POLICY_ANNOTATION, POLICY);
        createAndStart(root, bundle, id);
        int daemon = daemonPid(root);
        int watchdog = watchdogOf(daemon, 0);
        for (int pid : new int[] {daemon, watchdog}) {
            List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"));
            assertFalse(lines.isEmpty());
            for (String line : lines) {
                // every v1 hierarchy and the cgroup2 (hybrid or pure v2 alike), whatever the caller's was
                assertTrue(line.endsWith(":" + DaemonCgroup.PATH), pid + ": " + lines);
            }
        }
        assertFalse(Files.readString(new SupervisorPaths(root).log()).contains("staying in the cgroups"));
    }

    @Test
    void aBadPolicyFailsCreateAndLeavesNothing(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "sd-bad");
        Path bundle = bundle(dir, "true", PolicySource.POLICY_ANNOTATION, "sandbox/read:on\nallow/reed+/x\n");
        Cli.Result created = external(root, "create", "-b", bundle.toString(), id);
        assertEquals(1, created.status(), created.err());
        assertTrue(created.err().contains("annotation " + PolicySource.POLICY_ANNOTATION + " in ")
                && created.err().contains(":2"), created.err());
        assertFalse(Files.exists(root.resolve(id)), "no state directory");
        assertFalse(Files.exists(new SupervisorPaths(root).dir()), "no daemon was started for it");
    }

    private static int watchdogOf(int daemon, int not) throws Exception {
        for (int i = 0; i < 600; i++) {
            var w = ProcessHandle.of(daemon).stream().flatMap(ProcessHandle::children)
                    .filter(p -> p.pid() != not && p.info().commandLine().orElse("").contains("supervisor-watchdog"))
                    .filter(p -> alive((int) p.pid())).findFirst();
            if (w.isPresent()) {
                return (int) w.get().pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("daemon " + daemon + " has no watchdog");
    }

    @Test
    void aDeadWatchdogIsReplacedAndTheReplacementKills(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "sd-watch");
        Path bundle = bundle(dir, "touch /out/done; exec sleep 60", PolicySource.POLICY_ANNOTATION, POLICY);
        int pid = createAndStart(root, bundle, id);
        waitFor(dir.resolve("out/done"));
        int daemon = daemonPid(root);
        int first = watchdogOf(daemon, 0);
        Processes.kill(first, 9);
        int second = watchdogOf(daemon, first);
        assertTrue(alive(pid), "a watchdog's death is no reason to kill the container");
        // the replacement may still be starting its JVM: it kills once it runs
        Thread.sleep(3000);
        Processes.kill(daemon, 9);
        for (int i = 0; i < 500 && alive(pid); i++) {
            Thread.sleep(10);
        }
        assertFalse(alive(pid), "watchdog " + second + " let the container outlive its supervisor");
        assertEquals(137, Processes.waitFor(pid).exitCode());
    }

    @Test
    void theExitActionEndsTheWholeContainer(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "sd-exit");
        Path bundle = bundle(dir, "sleep 60 & cat /etc/secret; sleep 60", PolicySource.POLICY_ANNOTATION,
                "sandbox/read:on\nallow/read+/***\nexit/read+/etc/secret\n");
        int pid = createAndStart(root, bundle, id);
        assertEquals(137, Processes.waitFor(pid).exitCode());
        JsonNode s = state(root, id);
        assertTrue(s.get("annotations").get(StopReason.STATE_ANNOTATION).asString().contains("exit action"),
                s.toString());
        List<String> lines = sandboxLines(root, id);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"action\":\"exit\"") && l.contains("/etc/secret")),
                String.join("\n", lines));
    }
}
