package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** `events` of a real container: statistics, and the OOM event when the kernel kills it at its memory limit. */
@Tag("root")
class EventsRunTest {
    private static final String ID = "ev-" + Long.toHexString(System.nanoTime());

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

    /** A detached container running {@code script} with a 16 MiB memory limit and no swap beyond it. */
    private void start(Path dir, String script) throws Exception {
        root = dir.resolve("root");
        Path bundle = LifecycleTest.bundle(dir, script);
        Files.createSymbolicLink(bundle.resolve("rootfs/bin/dd"), Path.of("busybox"));
        Path config = bundle.resolve("config.json");
        ObjectNode c = (ObjectNode) SpecJson.mapper().readTree(Files.readString(config));
        ObjectNode memory = ((ObjectNode) c.get("linux")).putObject("resources").putObject("memory");
        memory.put("limit", 16L << 20);
        memory.put("swap", 16L << 20);
        Files.writeString(config, SpecJson.pretty(c));
        Cli.Result run = Cli.run(dir, "--root", root.toString(), "run", "-d", "-b", bundle.toString(), ID);
        assertEquals(0, run.status(), run.err());
    }

    private static List<JsonNode> lines(String out) {
        return out.lines().map(l -> SpecJson.mapper().readTree(l)).toList();
    }

    @Test
    void aMemoryHogKilledAtTheLimitIsAnOomEventAndTheStreamEndsWithTheContainer(@TempDir Path dir)
            throws Exception {
        // the pause lets `events` start watching before the hog runs
        start(dir, "sleep 3; dd if=/dev/zero of=/dev/null bs=64M count=1");
        Cli.Result r = Cli.run(dir, "--root", root.toString(), "events", "--interval", "500ms", ID);
        assertEquals(0, r.status(), r.err());
        List<JsonNode> events = lines(r.out());
        assertEquals("stats", events.getFirst().get("type").asString(), r.out());
        assertEquals(16L << 20, events.getFirst().get("data").get("memory").get("usage").get("limit").asLong());
        List<JsonNode> oom = events.stream().filter(e -> e.get("type").asString().equals("oom")).toList();
        assertEquals(1, oom.size(), r.out());
        assertEquals("{\"type\":\"oom\",\"id\":\"" + ID + "\"}", SpecJson.compact(oom.getFirst()));
    }

    @Test
    void statsOnceHasRuncsSectionsAndAStoppedContainerHasNoEvents(@TempDir Path dir) throws Exception {
        start(dir, "exec sleep 60");
        Cli.Result r = Cli.run(dir, "--root", root.toString(), "events", "--stats", ID);
        assertEquals(0, r.status(), r.err());
        JsonNode data = lines(r.out()).getFirst().get("data");
        for (String section : List.of("cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt")) {
            assertTrue(data.has(section), section + " in " + r.out());
        }
        assertTrue(data.get("cpu").has("throttling"), r.out());
        assertEquals(1, data.get("pids").get("current").asInt(), r.out());
        assertEquals(0, Cli.run(dir, "--root", root.toString(), "kill", ID, "KILL").status());
        for (int i = 0; i < 100 && Cli.run(dir, "--root", root.toString(), "state", ID).out().contains("running"); i++) {
            Thread.sleep(50);
        }
        r = Cli.run(dir, "--root", root.toString(), "events", ID);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("container " + ID + " is not running"), r.err());
    }
}
