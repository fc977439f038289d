package io.jsyd.oci.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OCI hooks through `run`: each hook appends what it saw (its namespaces, the
 * init's, cwd, the state on stdin, env) to a log the test reads. The ordering and
 * context expectations are runc's: the same bundle runs under runc too.
 */
@Tag("root")
class HooksRunTest {
    private static final String SCRIPT = """
            kind=$1; log=$2
            state=$(cat)
            pid=$(echo "$state" | sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p')
            {
              echo "== $kind"
              echo "cwd=$(pwd)"
              echo "mnt=$(readlink /proc/self/ns/mnt) net=$(readlink /proc/self/ns/net)"
              if [ -n "$pid" ]; then echo "init=$(readlink /proc/$pid/ns/mnt) $(readlink /proc/$pid/ns/net)"; fi
              if [ -n "$pid" ]; then echo "cgroup=$(grep -E ':pids:|^0::' /proc/$pid/cgroup | head -n 1)"; fi
              echo "state=$state"
              echo "env=$(env | grep HOOK_ | sort | tr '\\n' ' ')"
            } >> "$log"
            """;

    private Path dir;
    private Path state;

    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(RunBundle.busyboxAvailable(), "needs busybox-static at /bin/busybox");
    }

    @BeforeEach
    void tempDir() throws IOException {
        dir = Files.createTempDirectory("jsyd-hooks-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        state = dir.resolve("state");
        Files.writeString(dir.resolve("hook.sh"), SCRIPT);
    }

    @AfterEach
    void removeTempDir() {
        OciRuntime.exec(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }

    private static String ns(String kind) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/" + kind)).toString();
    }

    @Test
    void everyRuntimeNamespaceKindRunsInOrderWithItsStateLikeRunc() throws IOException {
        Map<OciRuntime, List<Map<String, String>>> seen = new LinkedHashMap<>();
        for (OciRuntime rt : OciRuntime.values()) {
            assumeTrue(rt.available(), rt.label() + " is not installed");
            Path log = dir.resolve("log-" + rt.name());
            RunBundle b = RunBundle.create(dir.resolve("bundle-" + rt.name()), "echo process-ran");
            b.merge("{\"annotations\": {\"org.example.k\": \"v\"}}");
            // startContainer resolves its path and writes its log inside the container
            b.addMount("{\"destination\": \"" + dir + "\", \"type\": \"bind\", \"source\": \"" + dir
                    + "\", \"options\": [\"rbind\", \"rw\"]}");
            ObjectNode hooks = b.config.putObject("hooks");
            for (String kind : List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                    "poststop")) {
                HookLog.hook(hooks, kind, dir.resolve("hook.sh"), log);
            }
            HookLog.hook(hooks, "createRuntime", dir.resolve("hook.sh"), log, "second");
            b.write();
            OciRuntime.Result r = rt.run(state, b.dir, "hooks-" + rt.name());
            assertEquals(0, r.status(), rt.label() + "\n" + r.describe());
            assertEquals("process-ran\n", r.out(), rt.label());
            List<Map<String, String>> e = HookLog.entries(log);
            seen.put(rt, e);
            List<String> order = e.stream().map(m -> m.get("kind")).toList();
            if (rt == OciRuntime.RUNC) {
                // runc 1.1.5 runs poststart once `start` opened the exec fifo, racing the init's
                // startContainer hooks and exec; the spec (and jsyd-oci) runs it after the exec
                order = new ArrayList<>(order);
                order.remove("poststart");
                order.add(order.size() - 1, "poststart");
            }
            assertEquals(List.of("prestart", "createRuntime", "createRuntime", "createContainer", "startContainer",
                    "poststart", "poststop"), order, rt.label() + ": " + e);
            String bundle = b.dir.toAbsolutePath().toString();
            List<String> statuses = new ArrayList<>();
            for (Map<String, String> m : e) {
                // runtime-namespace hooks run in ours, the two others in the container's; each
                // with only the env it was given
                boolean inContainer = m.get("kind").endsWith("Container");
                String self = "mnt=" + m.get("mnt");
                if (inContainer) {
                    assertTrue(!self.contains(ns("mnt")) && !self.contains(ns("net")), rt.label() + " " + m);
                } else {
                    assertEquals("mnt=" + ns("mnt") + " net=" + ns("net"), self, rt.label() + " " + m);
                }
                assertEquals("HOOK_KIND=" + m.get("kind") + " ", m.get("env"), rt.label() + " " + m);
                JsonNode st = SpecJson.mapper().readTree(m.get("state"));
                if (inContainer && rt == OciRuntime.JSYD) {
                    // the spec's pid is the host's view; runc 1.1.5 gives the init's own getpid() (1)
                    assertEquals(e.getFirst().get("state").replaceAll(".*\"pid\":(\\d+).*", "$1"),
                            String.valueOf(st.get("pid").asInt()), m.toString());
                }
                assertEquals("hooks-" + rt.name(), st.get("id").asString(), rt.label());
                assertEquals(bundle, st.get("bundle").asString(), rt.label());
                assertEquals("v", st.get("annotations").get("org.example.k").asString(), rt.label() + " " + m);
                statuses.add(st.get("status").asString());
                if (m.get("kind").equals("prestart") || m.get("kind").equals("createRuntime")) {
                    // the init exists (waiting before pivot_root), in namespaces of its own
                    String init = m.get("init");
                    assertTrue(init != null && !init.startsWith(ns("mnt")) && !init.endsWith(ns("net")),
                            rt.label() + " " + m);
                }
            }
            // runc 1.1.5 hands poststart the status it read before the exec ("created"); the spec's
            // "running" is what a container that executed the user program has, so jsyd-oci says that
            assertEquals(List.of("creating", "creating", "creating", "creating", "created",
                    rt == OciRuntime.RUNC ? "created" : "running", "stopped"), statuses, rt.label());
        }
        if (seen.size() == 2) {
            // runc runs runtime-namespace hooks in the bundle, createContainer in the rootfs,
            // startContainer in process.cwd
            assertEquals(cwds(seen.get(OciRuntime.RUNC), "RUNC"), cwds(seen.get(OciRuntime.JSYD), "JSYD"));
            assertEquals(dir.resolve("bundle-X").toString(), cwds(seen.get(OciRuntime.JSYD), "JSYD").get("prestart"));
        }
    }

    /** Each kind's working directory, the bundle's name made the same for both runtimes. */
    private Map<String, String> cwds(List<Map<String, String>> e, String rt) {
        Map<String, String> byKind = new java.util.TreeMap<>();
        e.forEach(m -> byKind.put(m.get("kind"), m.get("cwd").replace("bundle-" + rt, "bundle-X")));
        return byKind;
    }

    @Test
    void aFailingCreateRuntimeHookStopsTheStartLeavesNothingAndPoststopRuns() throws IOException {
        Path log = dir.resolve("log");
        Path marker = dir.resolve("process-ran");
        RunBundle b = RunBundle.create(dir.resolve("bundle"), "echo process-ran");
        String cgroup = "jsyd-hooks-fail-" + ProcessHandle.current().pid();
        b.merge("{\"linux\": {\"cgroupsPath\": \"/" + cgroup + "\"}}");
        ObjectNode hooks = b.config.putObject("hooks");
        HookLog.hook(hooks, "createRuntime", dir.resolve("hook.sh"), log);
        ArrayNode cr = (ArrayNode) hooks.get("createRuntime");
        cr.addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c").add("echo it broke >&2; exit 7");
        HookLog.hook(hooks, "createRuntime", dir.resolve("hook.sh"), log, "never");
        HookLog.hook(hooks, "poststart", dir.resolve("hook.sh"), log);
        HookLog.hook(hooks, "poststop", dir.resolve("hook.sh"), log);
        b.write();
        TreeSet<String> mountsBefore = FailurePathsTest.mountsUnder(dir);
        OciRuntime.Result r = OciRuntime.JSYD.run(state, b.dir, "hooks-fail");
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("container hooks-fail: createRuntime hook #1 (/bin/sh): exited with status 7: output: it broke"),
                r.describe());
        assertFalse(r.out().contains("process-ran"), r.describe());
        assertFalse(Files.exists(marker));
        assertEquals(List.of("createRuntime", "poststop"),
                HookLog.kinds(log), "the rest are skipped, poststop runs");
        assertFalse(Files.exists(state.resolve("hooks-fail")), "state directory left behind");
        assertEquals(mountsBefore, FailurePathsTest.mountsUnder(dir), "mounts left behind");
        assertEquals(List.of(), FailurePathsTest.processesIn(dir), "processes left behind");
        // the first hook ran with the container in its cgroup; once it failed the cgroup went
        assertTrue(HookLog.entries(log).getFirst().get("cgroup").endsWith(":/" + cgroup), HookLog.entries(log).toString());
        assertEquals(List.of(), cgroupDirs(cgroup), "cgroup left behind");
    }

    @Test
    void aHookPastItsTimeoutIsKilledWithWhatItForked() throws IOException {
        Path pid = dir.resolve("sleeper.pid");
        RunBundle b = RunBundle.create(dir.resolve("bundle"), "echo process-ran");
        ObjectNode hooks = b.config.putObject("hooks");
        ObjectNode h = hooks.putArray("prestart").addObject().put("path", "/bin/sh").put("timeout", 1);
        h.putArray("args").add("sh").add("-c").add("sleep 100 & echo $! > " + pid + "; echo stuck >&2; wait");
        b.write();
        long start = System.nanoTime();
        OciRuntime.Result r = OciRuntime.JSYD.run(state, b.dir, "hooks-timeout");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("prestart hook #0 (/bin/sh): timed out after 1s and was killed: output: stuck"),
                r.describe());
        assertTrue(ms < 20_000, "took " + ms + " ms");
        String sleeper = Files.readString(pid).strip();
        assertFalse(Files.exists(Path.of("/proc/" + sleeper)) && !Files.readString(Path.of("/proc/" + sleeper + "/stat"))
                .contains(") Z"), "the hook's child " + sleeper + " still runs");
        assertFalse(Files.exists(state.resolve("hooks-timeout")));
        assertEquals(List.of(), FailurePathsTest.processesIn(dir), "processes left behind");
    }

    @Test
    void aPoststartFailureStopsTheContainerAndAPoststopFailureIsAWarning() throws IOException {
        // runtime-spec 1.1 made a poststart failure an error that stops the container (1.0: a warning)
        RunBundle b = RunBundle.create(dir.resolve("bundle"), "echo process-ran; exec sleep 100");
        ObjectNode hooks = b.config.putObject("hooks");
        for (String kind : List.of("poststart", "poststop")) {
            hooks.putArray(kind).addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c")
                    .add("echo " + kind + "-broke >&2; exit 2");
        }
        b.write();
        OciRuntime.Result r = OciRuntime.JSYD.run(state, b.dir, "hooks-warn");
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("jsyd-oci: container hooks-warn: poststart hook #0 (/bin/sh): exited with status 2:"
                + " output: poststart-broke"), r.describe());
        assertTrue(r.err().contains("warning: container hooks-warn: poststop hook #0 (/bin/sh): exited with status 2:"
                + " output: poststop-broke"), r.describe());
        assertFalse(Files.exists(state.resolve("hooks-warn")), "state directory left behind");
        assertEquals(List.of(), FailurePathsTest.processesIn(dir), "processes left behind");
    }

    @Test
    void aPoststopFailureIsAWarning() throws IOException {
        RunBundle b = RunBundle.create(dir.resolve("bundle"), "echo process-ran");
        b.config.putObject("hooks").putArray("poststop").addObject().put("path", "/bin/sh").putArray("args")
                .add("sh").add("-c").add("echo poststop-broke >&2; exit 2");
        b.write();
        OciRuntime.Result r = OciRuntime.JSYD.run(state, b.dir, "hooks-warn2");
        assertEquals(0, r.status(), r.describe());
        assertEquals("process-ran\n", r.out());
        assertTrue(r.err().contains("warning: container hooks-warn2: poststop hook #0 (/bin/sh): exited with status 2:"
                + " output: poststop-broke"), r.describe());
    }

    @Test
    void aFailingStartContainerHookStopsTheStartInsideTheContainerAndLeavesNothing() throws IOException {
        Path log = dir.resolve("log");
        RunBundle b = RunBundle.create(dir.resolve("bundle"), "echo process-ran");
        ObjectNode hooks = b.config.putObject("hooks");
        hooks.putArray("startContainer").addObject().put("path", "/bin/sh").putArray("args").add("sh").add("-c")
                .add("echo in-container-broke >&2; exit 3");
        HookLog.hook(hooks, "poststart", dir.resolve("hook.sh"), log);
        HookLog.hook(hooks, "poststop", dir.resolve("hook.sh"), log);
        b.write();
        TreeSet<String> mountsBefore = FailurePathsTest.mountsUnder(dir);
        OciRuntime.Result r = OciRuntime.JSYD.run(state, b.dir, "hooks-sc-fail");
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("container hooks-sc-fail: startContainer hook #0 (/bin/sh): exited with status 3:"
                + " output: in-container-broke"), r.describe());
        assertFalse(r.out().contains("process-ran"), r.describe());
        assertEquals(List.of("poststop"), HookLog.kinds(log));
        assertFalse(Files.exists(state.resolve("hooks-sc-fail")), "state directory left behind");
        assertEquals(mountsBefore, FailurePathsTest.mountsUnder(dir), "mounts left behind");
        assertEquals(List.of(), FailurePathsTest.processesIn(dir), "processes left behind");
    }

    @Test
    void aCreateContainerHookPastItsTimeoutIsKilledByTheInit() throws IOException {
        Path pid = dir.resolve("sleeper.pid");
        RunBundle b = RunBundle.create(dir.resolve("bundle"), "echo process-ran");
        ObjectNode h = b.config.putObject("hooks").putArray("createContainer").addObject().put("path", "/bin/sh")
                .put("timeout", 1);
        // the pid file is written through the host's file system: the hook runs before pivot_root
        h.putArray("args").add("sh").add("-c").add("sleep 101 & echo $! > " + pid + "; echo stuck; wait");
        b.write();
        long start = System.nanoTime();
        OciRuntime.Result r = OciRuntime.JSYD.run(state, b.dir, "hooks-cc-timeout");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("createContainer hook #0 (/bin/sh): timed out after 1s and was killed: output: stuck"),
                r.describe());
        assertTrue(ms < 20_000, "took " + ms + " ms");
        assertTrue(Files.exists(pid), "the hook ran");
        assertFalse(Files.exists(state.resolve("hooks-cc-timeout")));
        assertEquals(List.of(), FailurePathsTest.processesIn(dir), "processes left behind");
        // the hook's sleep was in the container's pid namespace: it dies with the init
        assertEquals(List.of(), processesNamed("sleep 101"), "the hook's child still runs");
    }

    @Test
    void aPrestartHookConfiguresTheContainersNetworkBeforeTheProcessRuns() {
        // the classic use: the init waits with its namespaces made while the hook sets them up
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nsenter"))
                && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))),
                "needs nsenter and ip on the host");
        for (OciRuntime rt : OciRuntime.values()) {
            assumeTrue(rt.available(), rt.label() + " is not installed");
            RunBundle b = RunBundle.create(dir.resolve("bundle-" + rt.name()), "cat /sys/class/net/lo/operstate");
            ObjectNode h = b.config.putObject("hooks").putArray("prestart").addObject().put("path", "/bin/sh");
            h.putArray("args").add("sh").add("-c").add("pid=$(sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p');"
                    + " nsenter --net=/proc/$pid/ns/net ip link set lo up");
            h.putArray("env").add("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
            b.write();
            OciRuntime.Result r = rt.run(state, b.dir, "hooks-net-" + rt.name());
            assertEquals(0, r.status(), rt.label() + "\n" + r.describe());
            // a loopback that is up has no carrier state to report: "unknown" (down: "down")
            assertEquals("unknown", r.out().strip(), rt.label());
        }
    }

    /** Directories named {@code name} right below any cgroup hierarchy's root (v1 or v2). */
    private static List<Path> cgroupDirs(String name) throws IOException {
        List<Path> found = new ArrayList<>();
        try (var roots = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path root : roots.toList()) {
                if (Files.isDirectory(root.resolve(name))) {
                    found.add(root.resolve(name));
                }
            }
        }
        if (Files.isDirectory(Path.of("/sys/fs/cgroup", name))) {
            found.add(Path.of("/sys/fs/cgroup", name));
        }
        return found;
    }

    private static List<String> processesNamed(String cmdline) throws IOException {
        List<String> found = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String c = Files.readString(p.resolve("cmdline")).replace('\0', ' ').strip();
                    if (c.equals(cmdline)) {
                        found.add(p.getFileName() + " " + c);
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return found;
    }
}
