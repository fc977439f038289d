package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** `update` of a running container: the cgroup files change and the state keeps the new resources. */
@Tag("root")
class UpdateRunTest {
    private static final String ID = "up-" + Long.toHexString(System.nanoTime());

    private Path root;

    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static at /bin/busybox");
        Processes.becomeSubreaper();
    }

    @AfterEach
    void deleteContainer() {
        if (root != null) {
            Cli.run(root.getParent(), "--root", root.toString(), "delete", "--force", ID);
        }
    }

    private Cli.Result update(Path dir, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"--root", root.toString(), "update"}, 0, all, 0, 3);
        System.arraycopy(args, 0, all, 3, args.length);
        all[all.length - 1] = ID;
        return Cli.run(dir, all);
    }

    /** The container's directory of the hierarchy that has {@code controller}. */
    private Path cgroupDir(String controller) throws Exception {
        JsonNode paths = SpecJson.mapper().readTree(Files.readString(root.resolve(ID).resolve("state.json")))
                .get("cgroupPaths");
        for (Map.Entry<String, JsonNode> e : paths.properties()) {
            if (Arrays.asList(e.getKey().split(",")).contains(controller)) {
                return Path.of(e.getValue().asString());
            }
        }
        throw new AssertionError("no " + controller + " cgroup in " + paths);
    }

    private String read(String controller, String file) throws Exception {
        return Files.readString(cgroupDir(controller).resolve(file)).strip();
    }

    private JsonNode saved() throws Exception {
        return SpecJson.mapper().readTree(Files.readString(root.resolve(ID).resolve("state.json"))).get("resources");
    }

    private void start(Path dir) throws Exception {
        root = dir.resolve("root");
        Path bundle = LifecycleTest.bundle(dir, "exec sleep 60");
        Cli.Result run = Cli.run(dir, "--root", root.toString(), "run", "-d", "-b", bundle.toString(), ID);
        assertEquals(0, run.status(), run.err());
    }

    @Test
    void flagsChangeTheLiveLimitsAndTheStateKeepsThem(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "the v1 memory hierarchy");
        start(dir);
        Cli.Result r = update(dir, "--memory", "64m", "--pids-limit", "20", "--cpu-period", "100000",
                "--cpu-quota", "50000", "--cpu-share", "512");
        assertEquals(0, r.status(), r.err());
        assertEquals(Long.toString(64L << 20), read("memory", "memory.limit_in_bytes"));
        assertEquals("20", read("pids", "pids.max"));
        assertEquals("50000", read("cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", read("cpu", "cpu.cfs_period_us"));
        assertEquals("512", read("cpu", "cpu.shares"));
        assertEquals(64L << 20, saved().get("memory").get("limit").asLong());
        assertEquals(20, saved().get("pids").get("limit").asInt());

        // a second update changes one field; what the first set stays, in the cgroup and in the state
        r = update(dir, "--pids-limit", "30");
        assertEquals(0, r.status(), r.err());
        assertEquals("30", read("pids", "pids.max"));
        assertEquals(Long.toString(64L << 20), read("memory", "memory.limit_in_bytes"));
        assertEquals(30, saved().get("pids").get("limit").asInt());
        assertEquals(64L << 20, saved().get("memory").get("limit").asLong());
        assertEquals(50000, saved().get("cpu").get("quota").asLong());

        r = update(dir, "--memory", "lots");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("invalid value for memory: invalid size: 'lots'"), r.err());
        assertEquals(Long.toString(64L << 20), read("memory", "memory.limit_in_bytes"));
    }

    @Test
    void resourcesFromAFileAndFromStdin(@TempDir Path dir) throws Exception {
        start(dir);
        Path file = dir.resolve("resources.json");
        Files.writeString(file, "{\"pids\":{\"limit\":11},\"memory\":{\"limit\":33554432}}");
        Cli.Result r = update(dir, "--resources", file.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("11", read("pids", "pids.max"));
        assertEquals("33554432", read("memory", "memory.limit_in_bytes"));

        String[] args = {"--root", root.toString(), "update", "-r", "-", ID};
        r = Cli.runWithInput(dir, "{\"pids\":{\"limit\":12}}".getBytes(StandardCharsets.UTF_8), args);
        assertEquals(0, r.status(), r.err());
        assertEquals("12", read("pids", "pids.max"));
        assertEquals("33554432", read("memory", "memory.limit_in_bytes"), "a field the document leaves out stays");
        assertEquals(12, saved().get("pids").get("limit").asInt());

        Files.writeString(file, "{\"pids\":{\"limit\":11},\"memory\":{\"limit\":\"much\"}}");
        r = update(dir, "--resources", file.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains(file + ": $.memory.limit: "), r.err());
        assertEquals("12", read("pids", "pids.max"), "nothing of a rejected document is applied");

        r = Cli.runWithInput(dir, "[1]".getBytes(StandardCharsets.UTF_8), args);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("<stdin>: $: "), r.err());
    }

    @Test
    void aLimitBelowWhatTheContainerUsesIsRefusedNamingTheField(@TempDir Path dir) throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/swaps")).lines().count() == 1, "no swap: tmpfs pages stay");
        root = dir.resolve("root");
        // tmpfs pages cannot be reclaimed without swap, so the kernel cannot shrink below them
        Path bundle = LifecycleTest.bundle(dir,
                "busybox dd if=/dev/zero of=/dev/shm/fill bs=1M count=16 && touch /out/filled; exec sleep 60");
        Cli.Result run = Cli.run(dir, "--root", root.toString(), "run", "-d", "-b", bundle.toString(), ID);
        assertEquals(0, run.status(), run.err());
        for (int i = 0; i < 500 && !Files.exists(dir.resolve("out/filled")); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(dir.resolve("out/filled")));
        Cli.Result r = update(dir, "--memory", "4m");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("memory.limit"), r.err());
    }

    @Test
    void aStoppedContainerIsNotUpdated(@TempDir Path dir) throws Exception {
        start(dir);
        int pid = SpecJson.mapper().readTree(Files.readString(root.resolve(ID).resolve("state.json")))
                .get("pid").asInt();
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "kill", ID, "KILL").status());
        assertEquals(9, Processes.waitFor(pid).code());
        Cli.Result r = update(dir, "--pids-limit", "5");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("cannot update a stopped container"), r.err());
    }

    @Test
    void aContainerThatDoesNotExist(@TempDir Path dir) {
        root = dir.resolve("root");
        Cli.Result r = update(dir, "--memory", "64m");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("container " + ID + " does not exist"), r.err());
    }
}
