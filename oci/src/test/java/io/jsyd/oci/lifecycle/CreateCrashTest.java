package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.cli.Main;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Crash safety: `create`, in a JVM of its own as podman runs it, is killed with
 * SIGKILL at every step of its protocol in turn, and `delete --force` must then
 * leave nothing: no process, no mount under the test's directory (bundle, rootfs,
 * --root), no cgroup directory in any hierarchy (v1 and the unified cgroup2), no
 * state directory. The steps are the runtime's own {@code Checkpoint}s: a first,
 * complete create logs them (JSYD_OCI_TEST_STEP_LOG), then each run makes create
 * stop itself (SIGSTOP) at one of them (JSYD_OCI_TEST_STOP_AT) and the test kills
 * it once the kernel shows it stopped: the same point every run, no sleeping.
 */
@Tag("root")
public class CreateCrashTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final String RUN = Long.toHexString(System.nanoTime());
    /** What every create passes, in this order (a subsequence of the steps it logs). */
    private static final List<String> CORE = List.of("config converted", "state directory claimed", "exec fifo made",
            "recorded as creating", "stub spawned", "init cloned", "sync init-created reached", "cgroup created",
            "sync init-created answered", "sync init-created acknowledged", "sync before-pivot reached",
            "sync before-pivot answered", "sync before-pivot acknowledged", "sync ready reached", "sync ready answered",
            "sync ready acknowledged", "init waits for start", "recorded as created", "pid file written");

    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at /bin/busybox");
        // the killed runtime's init and stub are adopted by the subreaper, as by conmon
        Processes.becomeSubreaper();
    }

    @Test
    void deleteForceLeavesNothingAfterCreateIsKilledAtAnyStep(@TempDir Path dir) throws Exception {
        Path bundle = LifecycleTest.bundle(dir, "exec sleep 60");
        withCreateRuntimeHook(bundle, false);
        List<String> steps = crashAtEveryStep(dir, bundle, "cc" + RUN);
        assertTrue(steps.containsAll(CORE), steps.toString());
    }

    /** The same with a user namespace: its id maps are one more sync point. */
    @Test
    void deleteForceLeavesNothingAfterCreateWithAUserNamespaceIsKilledAtAnyStep(@TempDir Path dir) throws Exception {
        Path bundle = LifecycleTest.bundle(dir, "exec sleep 60");
        withCreateRuntimeHook(bundle, true);
        List<String> steps = crashAtEveryStep(dir, bundle, "cu" + RUN);
        assertTrue(steps.containsAll(CORE), steps.toString());
        assertTrue(steps.containsAll(List.of("sync userns-maps reached", "sync userns-maps answered",
                "sync userns-maps acknowledged")), steps.toString());
        assertTrue(steps.indexOf("sync userns-maps acknowledged") < steps.indexOf("init cloned"), steps.toString());
    }

    /**
     * A createRuntime hook makes the parent's sync before pivot_root part of the
     * protocol; with {@code userns} the container gets a user namespace (root mapped
     * to root: the rootfs stays usable).
     */
    private static void withCreateRuntimeHook(Path bundle, boolean userns) throws IOException {
        Path file = bundle.resolve("config.json");
        ObjectNode config = (ObjectNode) SpecJson.mapper().readTree(Files.readString(file));
        ObjectNode hook = config.putObject("hooks").putArray("createRuntime").addObject();
        hook.put("path", "/bin/sh");
        hook.putArray("args").add("sh").add("-c").add("true");
        if (userns) {
            ObjectNode linux = (ObjectNode) config.get("linux");
            ((ArrayNode) linux.get("namespaces")).addObject().put("type", "user");
            for (String maps : List.of("uidMappings", "gidMappings")) {
                linux.putArray(maps).addObject().put("containerID", 0).put("hostID", 0).put("size", 65536);
            }
        }
        Files.writeString(file, SpecJson.pretty(config));
    }

    /** Returns the steps a complete create logged; fails at the first step that leaves something. */
    private List<String> crashAtEveryStep(Path dir, Path bundle, String prefix) throws Exception {
        Path root = dir.resolve("root");
        String refId = prefix + "-ref";
        Path log = dir.resolve("steps-ref");
        Launch ref = launch(root, bundle, dir, refId, log, null);
        assertTrue(ref.process().waitFor(60, TimeUnit.SECONDS), "create timed out");
        assertEquals(0, ref.process().exitValue(), ref.err());
        List<String> steps = Files.readAllLines(log);
        JsonNode saved = SpecJson.mapper().readTree(Files.readString(root.resolve(refId).resolve("state.json")));
        Map<String, String> refCgroups = new LinkedHashMap<>();
        saved.get("cgroupPaths").properties().forEach(e -> refCgroups.put(e.getKey(), e.getValue().asString()));
        assertTrue(refCgroups.containsKey(""), "no cgroup2 directory among " + refCgroups);
        assertTrue(refCgroups.keySet().size() > 1, "no v1 hierarchy among " + refCgroups);
        Cli.Result deleted = Cli.run(dir, "--root", root.toString(), "delete", "--force", refId);
        assertEquals(0, deleted.status(), deleted.err());
        assertNothingLeft(dir, root, refId, refCgroups, ref.started());

        for (int i = 0; i < steps.size(); i++) {
            String step = steps.get(i);
            String id = prefix + "-" + i;
            Path stepLog = dir.resolve("steps-" + i);
            Launch run = launch(root, bundle, dir, id, stepLog, step);
            Cli.Result r;
            try {
                awaitStopped(run, step);
                List<String> logged = Files.readAllLines(stepLog);
                assertEquals(step, logged.getLast(), "stopped elsewhere than at " + step + ": " + logged);
            } finally {
                // also when the test fails here: nothing of it may outlive the test
                run.process().destroyForcibly();
                run.process().waitFor();
                r = Cli.run(dir, "--root", root.toString(), "delete", "--force", id);
            }
            assertEquals(0, r.status(), "killed at \"" + step + "\": delete --force: " + r.err());
            Map<String, String> cgroups = new LinkedHashMap<>();
            refCgroups.forEach((k, v) -> cgroups.put(k, v.replace(refId, id)));
            try {
                assertNothingLeft(dir, root, id, cgroups, run.started());
            } catch (AssertionError e) {
                throw new AssertionError("killed at \"" + step + "\": " + e.getMessage(), e);
            }
        }
        return steps;
    }

    private record Launch(Process process, Instant started, Path errFile) {
        String err() {
            try {
                return Files.readString(errFile);
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    /** `create` in a JVM of its own (the entry point reads the seam), stdio to files: the init keeps them. */
    private static Launch launch(Path root, Path bundle, Path dir, String id, Path log, String stopAt)
            throws IOException {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--root", root.toString(), "create", "-b", bundle.toString(),
                "--pid-file", dir.resolve("pid-" + id).toString(), id));
        Path err = dir.resolve("err-" + id);
        ProcessBuilder pb = new ProcessBuilder(c).redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("out-" + id).toFile()).redirectError(err.toFile());
        pb.environment().put("JSYD_OCI_TEST_STEP_LOG", log.toString());
        if (stopAt != null) {
            pb.environment().put("JSYD_OCI_TEST_STOP_AT", stopAt);
        }
        // process start times have clock-tick resolution: a little slack
        Instant started = Instant.now().minusMillis(50);
        return new Launch(pb.start(), started, err);
    }

    /**
     * Until the kernel shows every thread of the runtime stopped (state T): it stopped
     * itself at the step (the thread that reached it first, the others follow).
     */
    private static void awaitStopped(Launch run, String step) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path tasks = Path.of("/proc/" + run.process().pid() + "/task");
        while (true) {
            if (!run.process().isAlive()) {
                fail("create ended (status " + run.process().exitValue() + ") before it reached \"" + step + "\": "
                        + run.err());
            }
            boolean all;
            try (var list = Files.list(tasks)) {
                all = list.allMatch(t -> {
                    try {
                        String s = Files.readString(t.resolve("stat"));
                        return s.charAt(s.lastIndexOf(')') + 2) == 'T';
                    } catch (IOException e) {
                        return true; // a thread that ended
                    }
                });
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("create never stopped at \"" + step + "\"");
            }
            Thread.sleep(2);
        }
    }

    private static void assertNothingLeft(Path dir, Path root, String id, Map<String, String> cgroups,
                                          Instant started) throws Exception {
        assertFalse(Files.exists(root.resolve(id)), "the state directory is left");
        for (String cg : cgroups.values()) {
            assertFalse(Files.exists(Path.of(cg)), cg + " is left");
        }
        String prefix = dir.toRealPath().toString() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            assertFalse(mountPoint.startsWith(prefix), "a mount is left: " + line);
        }
        // What the killed runtime started is ours now (the subreaper's): an init or stub
        // blocked on the protocol reads EOF and exits by itself, so it gets a moment to;
        // after that it is a leak. Zombies are gone already: they are reaped here.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<ProcessHandle> left;
        do {
            left = new ArrayList<>();
            for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
                if (h.info().startInstant().map(t -> t.isBefore(started)).orElse(false)) {
                    continue;
                }
                char state = state(h.pid());
                if (state == 'Z' && h.parent().map(p -> p.pid() == Processes.self()).orElse(false)) {
                    Processes.waitFor((int) h.pid());
                } else if (state != 0 && state != 'Z' && state != 'X') {
                    left.add(h);
                }
            }
            if (!left.isEmpty()) {
                Thread.sleep(20);
            }
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        if (!left.isEmpty()) {
            StringBuilder b = new StringBuilder("left running:");
            for (ProcessHandle h : left) {
                b.append("\n").append(h.pid()).append(" ").append(h.info().commandLine().orElse("?"))
                        .append(" state ").append(state(h.pid()));
            }
            fail(b.toString());
        }
    }

    /** The process's state letter, 0 when it is gone. */
    private static char state(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.charAt(s.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return 0;
        }
    }
}
