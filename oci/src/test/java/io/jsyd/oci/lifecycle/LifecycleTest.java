package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.cli.Main;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * create / start / state / kill / delete / list / ps / pause / resume with real
 * containers. The create that must leave its init behind runs in a fresh JVM, as
 * podman starts the runtime, with this JVM as the subreaper that adopts the init.
 */
@Tag("root")
public class LifecycleTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    // ids name cgroups, which are host-wide: unique per run
    private static final String RUN = Long.toHexString(System.nanoTime());
    private static final String ID1 = "lc1-" + RUN;
    private static final String ID2 = "lc2-" + RUN;
    private static final String ID3 = "lc3-" + RUN;
    private static final String ID4 = "lc4-" + RUN;
    private static final String ID5 = "lc5-" + RUN;
    private static final String ID6 = "lc6-" + RUN;

    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at /bin/busybox");
        // conmon and containerd's shim are subreapers; the test stands in for them
        Processes.becomeSubreaper();
    }

    private final List<Path> roots = new ArrayList<>();

    private Path rootIn(Path dir) {
        Path root = dir.resolve("root");
        roots.add(root);
        return root;
    }

    /** A failed test leaves no container running and no cgroup behind. */
    @AfterEach
    void deleteEverything() {
        for (Path root : roots) {
            for (String id : List.of(ID1, ID2, ID3, ID4, ID5, ID6)) {
                Cli.run(root, "--root", root.toString(), "delete", "--force", id);
            }
        }
    }

    public static Path bundle(Path dir, String script) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        assertEquals(0, Cli.run(bundle, "spec").status());
        Path rootfs = bundle.resolve("rootfs");
        for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "out")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "cat", "echo", "sleep", "touch")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Path out = Files.createDirectories(dir.resolve("out"));
        ObjectNode config = (ObjectNode) SpecJson.mapper().readTree(Files.readString(bundle.resolve("config.json")));
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        process.putArray("args").add("sh").add("-c").add(script);
        ObjectNode mount = ((ArrayNode) config.get("mounts")).addObject();
        mount.put("destination", "/out").put("type", "bind").put("source", out.toString());
        mount.putArray("options").add("rbind").add("rw");
        config.putObject("annotations").put("org.example.key", "value");
        Files.writeString(bundle.resolve("config.json"), SpecJson.pretty(config));
        return bundle;
    }

    /** The runtime in its own JVM; it exits, the init stays. */
    public static Cli.Result external(Path root, String... args) throws Exception {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--root", root.toString()));
        c.addAll(List.of(args));
        // files, not pipes: the init keeps the runtime's stdio, so a pipe would not end with the runtime
        Path out = Files.createTempFile("jsyd-lc-out", "");
        Path err = Files.createTempFile("jsyd-lc-err", "");
        try {
            Process p = new ProcessBuilder(c).redirectInput(new File("/dev/null"))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "runtime timed out");
            return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    private static JsonNode state(Path root, String id) {
        Cli.Result r = Cli.run(root, "--root", root.toString(), "state", id);
        assertEquals(0, r.status(), r.err());
        return SpecJson.mapper().readTree(r.out());
    }

    private static void waitFor(Path file) throws InterruptedException {
        for (int i = 0; i < 500 && !Files.exists(file); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(file), file + " never appeared");
    }

    @Test
    void createWaitsForStartAndTheInitOutlivesTheRuntime(@TempDir Path dir) throws Exception {
        Path root = rootIn(dir);
        Path bundle = bundle(dir, "touch /out/started; exec sleep 60");
        Path pidFile = dir.resolve("pid");
        Cli.Result created = external(root, "create", "-b", bundle.toString(), "--pid-file", pidFile.toString(), ID1);
        assertEquals(0, created.status(), created.err());
        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        // the runtime is gone; its init is now ours (the subreaper's)
        assertEquals(Processes.self(), ProcessHandle.of(pid).orElseThrow().parent().orElseThrow().pid());
        JsonNode s = state(root, ID1);
        assertEquals("created", s.get("status").asString());
        assertEquals(pid, s.get("pid").asInt());
        assertEquals(bundle.toString(), s.get("bundle").asString());
        assertEquals("value", s.get("annotations").get("org.example.key").asString());
        Thread.sleep(200);
        assertFalse(Files.exists(dir.resolve("out/started")), "the process ran before start");

        Cli.Result dup = Cli.run(dir, "--root", root.toString(), "create", "-b", bundle.toString(), ID1);
        assertEquals(1, dup.status());
        assertTrue(dup.err().contains("exists"), dup.err());

        assertEquals(0, external(root, "start", ID1).status());
        waitFor(dir.resolve("out/started"));
        assertEquals("running", state(root, ID1).get("status").asString());
        Cli.Result again = Cli.run(dir, "--root", root.toString(), "start", ID1);
        assertEquals(1, again.status());
        assertTrue(again.err().contains("cannot start an already running container"), again.err());

        Cli.Result ps = Cli.run(dir, "--root", root.toString(), "ps", "--format", "json", ID1);
        assertEquals("[" + pid + "]", ps.out().strip());

        Cli.Result notStopped = Cli.run(dir, "--root", root.toString(), "delete", ID1);
        assertEquals(1, notStopped.status());
        assertTrue(notStopped.err().contains("that is not stopped: running"), notStopped.err());

        assertEquals(0, Cli.run(dir, "--root", root.toString(), "kill", ID1, "KILL").status());
        assertEquals(9, Processes.waitFor(pid).code());
        assertEquals("stopped", state(root, ID1).get("status").asString());
        assertEquals(0, state(root, ID1).get("pid").asInt());
        Cli.Result dead = Cli.run(dir, "--root", root.toString(), "kill", ID1);
        assertEquals(1, dead.status());
        assertTrue(dead.err().contains("container not running"), dead.err());

        assertEquals(0, Cli.run(dir, "--root", root.toString(), "delete", ID1).status());
        assertFalse(Files.exists(root.resolve(ID1)));
        Cli.Result gone = Cli.run(dir, "--root", root.toString(), "state", ID1);
        assertEquals(1, gone.status());
        assertTrue(gone.err().contains("does not exist"), gone.err());
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "delete", "--force", ID1).status());
    }

    @Test
    void pauseResumeListAndForcedDelete(@TempDir Path dir) throws Exception {
        Path root = rootIn(dir);
        Path bundle = bundle(dir, "exec sleep 60");
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "run", "-d", "-b", bundle.toString(), ID2).status());
        int pid = state(root, ID2).get("pid").asInt();
        assertEquals("running", state(root, ID2).get("status").asString());
        Cli.Result events = Cli.run(dir, "--root", root.toString(), "events", "--stats", ID2);
        assertEquals(0, events.status(), events.err());
        JsonNode stats = SpecJson.mapper().readTree(events.out());
        assertEquals("stats", stats.get("type").asString());
        assertEquals(ID2, stats.get("id").asString());
        assertEquals(1, stats.get("data").get("pids").get("current").asInt(), events.out());
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "pause", ID2).status());
        assertEquals("paused", state(root, ID2).get("status").asString());
        Cli.Result list = Cli.run(dir, "--root", root.toString(), "list");
        assertEquals(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"),
                List.of(list.out().lines().findFirst().orElseThrow().split(" +")), list.out());
        assertEquals(List.of(ID2, Integer.toString(pid), "paused"),
                List.of(list.out().lines().toList().get(1).split(" +")).subList(0, 3), list.out());
        assertEquals(ID2, Cli.run(dir, "--root", root.toString(), "list", "-q").out().strip());
        JsonNode json = SpecJson.mapper().readTree(Cli.run(dir, "--root", root.toString(), "list", "--format", "json").out());
        assertEquals("paused", json.get(0).get("status").asString());
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "resume", ID2).status());
        assertEquals("running", state(root, ID2).get("status").asString());

        assertEquals(0, Cli.run(dir, "--root", root.toString(), "pause", ID2).status());
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "delete", "--force", ID2).status());
        assertEquals(9, Processes.waitFor(pid).code());
        assertFalse(Files.exists(root.resolve(ID2)));
        assertEquals("null", Cli.run(dir, "--root", root.toString(), "list", "--format", "json").out().strip());
    }

    @Test
    void aCreatedContainerIsDeletedWithoutForceAndAStartAfterDeathFails(@TempDir Path dir) throws Exception {
        Path root = rootIn(dir);
        Path bundle = bundle(dir, "touch /out/started");
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "create", "-b", bundle.toString(), ID3).status());
        int pid = state(root, ID3).get("pid").asInt();
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "kill", ID3, "9").status());
        Processes.waitFor(pid);
        Cli.Result start = Cli.run(dir, "--root", root.toString(), "start", ID3);
        assertEquals(1, start.status());
        assertTrue(start.err().contains("cannot start a container that has stopped"), start.err());
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "delete", ID3).status());

        assertEquals(0, Cli.run(dir, "--root", root.toString(), "create", "-b", bundle.toString(), ID4).status());
        int pid4 = state(root, ID4).get("pid").asInt();
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "delete", ID4).status());
        assertEquals(9, Processes.waitFor(pid4).code());
        assertFalse(Files.exists(dir.resolve("out/started")));
    }

    @Test
    void aReusedPidIsNotTheContainer(@TempDir Path dir) throws Exception {
        Path root = rootIn(dir);
        Path bundle = bundle(dir, "exec sleep 60");
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "create", "-b", bundle.toString(), ID5).status());
        Path state = root.resolve(ID5 + "/state.json");
        ObjectNode saved = (ObjectNode) SpecJson.mapper().readTree(Files.readString(state));
        int pid = saved.get("pid").asInt();
        // the same pid with another start time: a process that took the container's pid
        saved.put("initStartTime", saved.get("initStartTime").asLong() + 1);
        Files.writeString(state, SpecJson.compact(saved));
        assertEquals("stopped", state(root, ID5).get("status").asString());
        assertEquals(1, Cli.run(dir, "--root", root.toString(), "kill", ID5, "KILL").status());
        assertTrue(ProcessHandle.of(pid).orElseThrow().isAlive());
        Processes.kill(pid, 9);
        Processes.waitFor(pid);
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "delete", ID5).status());
    }

    /**
     * The runtime killed (SIGKILL) once create has recorded the container but
     * before it finished: `delete --force` removes the processes, the cgroup and
     * the state directory.
     */
    @Test
    void deleteForceCleansUpAfterACreateKilledHalfWay(@TempDir Path dir) throws Exception {
        Path root = rootIn(dir);
        Path bundle = bundle(dir, "exec sleep 60");
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--root", root.toString(), "create", "-b", bundle.toString(), ID6));
        // only what started from here on is this container's: the subreaper (this JVM) also
        // holds whatever other tests in it left behind
        java.time.Instant launched = java.time.Instant.now().minusMillis(50);
        Process runtime = new ProcessBuilder(c).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Path state = root.resolve(ID6).resolve("state.json");
        for (int i = 0; i < 3000 && !Files.exists(state) && runtime.isAlive(); i++) {
            Thread.sleep(1);
        }
        runtime.destroyForcibly();
        runtime.waitFor();
        assertTrue(Files.exists(state), "create never recorded the container");
        JsonNode saved = SpecJson.mapper().readTree(Files.readString(state));
        List<Path> cgroups = new ArrayList<>();
        saved.get("cgroupPaths").properties().forEach(e -> cgroups.add(Path.of(e.getValue().asString())));
        assertFalse(cgroups.isEmpty());

        Cli.Result deleted = Cli.run(dir, "--root", root.toString(), "delete", "--force", ID6);
        assertEquals(0, deleted.status(), deleted.err());
        assertFalse(Files.exists(root.resolve(ID6)));
        for (Path cg : cgroups) {
            assertFalse(Files.exists(cg), cg + " is left");
        }
        // Nothing of the container may still run. A stub (or an init it cloned before the
        // runtime could put it in the cgroup) that the killed runtime left mid-protocol reads
        // EOF on its sync socket and exits by itself: it gets a moment to, then it is a leak.
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<ProcessHandle> left;
        do {
            left = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command().map(x -> x.contains("sleep") || x.contains("jsyd-init"))
                            .orElse(false))
                    .filter(h -> h.info().startInstant().map(t -> !t.isBefore(launched)).orElse(true))
                    .toList();
            if (!left.isEmpty()) {
                Thread.sleep(20);
            }
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        for (ProcessHandle h : left) {
            throw new AssertionError("left running: " + h.pid() + " " + h.info() + " " + describe(h.pid()));
        }
    }

    /** What the kernel says a leftover process waits on, for the failure message. */
    private static String describe(long pid) {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("wchan", "stat", "stack", "cgroup")) {
            try {
                b.append("\n").append(f).append(": ").append(Files.readString(Path.of("/proc/" + pid + "/" + f)).strip());
            } catch (java.io.IOException e) {
                b.append("\n").append(f).append(": ").append(e);
            }
        }
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                b.append("\nfd ").append(fd.getFileName()).append(" -> ").append(Files.readSymbolicLink(fd));
            }
        } catch (java.io.IOException e) {
            b.append("\nfds: ").append(e);
        }
        return b.toString();
    }

    /** Different ids in parallel never collide; the same id twice at once: one create wins, one fails cleanly. */
    @Test
    void parallelCreatesOfDifferentIdsAndOneDuplicate(@TempDir Path dir) throws Exception {
        Path root = rootIn(dir);
        Path bundle = bundle(dir, "exec sleep 60");
        List<String> ids = List.of(ID1, ID2, ID3, ID4, ID4);
        List<java.util.concurrent.CompletableFuture<Cli.Result>> runs = new ArrayList<>();
        for (String id : ids) {
            runs.add(java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Cli.run(dir, "--root", root.toString(), "create", "-b", bundle.toString(), id)));
        }
        List<Cli.Result> results = runs.stream().map(java.util.concurrent.CompletableFuture::join).toList();
        for (int i = 0; i < 3; i++) {
            assertEquals(0, results.get(i).status(), results.get(i).err());
        }
        List<Cli.Result> dup = results.subList(3, 5);
        assertEquals(1, dup.stream().filter(r -> r.status() == 0).count(), dup.toString());
        Cli.Result loser = dup.stream().filter(r -> r.status() != 0).findFirst().orElseThrow();
        assertTrue(loser.err().contains("container with id exists: " + ID4), loser.err());
        for (String id : List.of(ID1, ID2, ID3, ID4)) {
            assertEquals("created", state(root, id).get("status").asString());
        }
        List<String> listed = Cli.run(dir, "--root", root.toString(), "list", "-q").out().lines().sorted().toList();
        assertEquals(List.of(ID1, ID2, ID3, ID4).stream().sorted().toList(), listed);
        List<java.util.concurrent.CompletableFuture<Cli.Result>> deletes = new ArrayList<>();
        for (String id : List.of(ID1, ID2, ID3, ID4)) {
            int pid = state(root, id).get("pid").asInt();
            deletes.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                Cli.Result r = Cli.run(dir, "--root", root.toString(), "delete", id);
                Processes.waitFor(pid);
                return r;
            }));
        }
        for (var d : deletes) {
            assertEquals(0, d.join().status(), d.join().err());
        }
        assertEquals("", Cli.run(dir, "--root", root.toString(), "list", "-q").out());
    }

    /** A foreground `run` is recorded as runc's is: `state` sees it running and `kill` stops it. */
    @Test
    void aForegroundRunIsSeenByStateAndStoppedByKill(@TempDir Path dir) throws Exception {
        Path root = rootIn(dir);
        Path bundle = bundle(dir, "exec sleep 60");
        var run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.run(dir, "--root", root.toString(), "run", "-b", bundle.toString(), ID1));
        waitFor(root.resolve(ID1).resolve("state.json"));
        assertEquals("running", state(root, ID1).get("status").asString());
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "kill", ID1, "SIGKILL").status());
        assertEquals(137, run.get(30, TimeUnit.SECONDS).status());
        assertFalse(Files.exists(root.resolve(ID1)));
    }
}
