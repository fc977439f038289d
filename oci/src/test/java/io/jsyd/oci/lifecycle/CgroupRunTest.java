package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.cgroup.CgroupHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** `jsyd-oci run` with resource limits: in force inside, and no cgroup left after. */
@Tag("root")
class CgroupRunTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private final String top = "/jsyd-run-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at /bin/busybox");
    }

    /** A bundle from `jsyd-oci spec`, a busybox rootfs, and /out bound to a host directory. */
    private static Path bundle(Path dir, String script, String resources, String cgroupsPath) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        assertEquals(0, Cli.run(bundle, "spec").status());
        Path rootfs = bundle.resolve("rootfs");
        for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "out")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "cat", "echo", "sleep")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Path out = Files.createDirectories(dir.resolve("out"));
        ObjectNode config = (ObjectNode) SpecJson.mapper().readTree(Files.readString(bundle.resolve("config.json")));
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        args.add("sh").add("-c").add(script);
        ObjectNode mount = ((ArrayNode) config.get("mounts")).addObject();
        mount.put("destination", "/out").put("type", "bind").put("source", out.toString());
        mount.putArray("options").add("rbind").add("rw");
        ObjectNode linux = (ObjectNode) config.get("linux");
        linux.set("resources", SpecJson.mapper().readTree(resources));
        linux.put("cgroupsPath", cgroupsPath);
        Files.writeString(bundle.resolve("config.json"), SpecJson.pretty(config));
        return bundle;
    }

    private void assertNoCgroupLeft() {
        CgroupHost host = CgroupHost.system();
        List<Path> mounts = new ArrayList<>();
        host.hierarchies().forEach(h -> mounts.add(h.mountPoint()));
        if (host.unified() != null) {
            mounts.add(host.unified().mountPoint());
        }
        for (Path m : mounts) {
            assertFalse(Files.exists(m.resolve(top.substring(1))), "left in " + m);
        }
    }

    @Test
    void limitsHoldInsideAndNothingIsLeftAfter(@TempDir Path dir) throws Exception {
        CgroupHost host = CgroupHost.system();
        String read = host.mode() == CgroupHost.Mode.UNIFIED
                ? "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max"
                : "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"
                        + " /sys/fs/cgroup/cpu/cpu.cfs_quota_us";
        Path bundle = bundle(dir, read + " > /out/limits",
                "{\"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 32}, \"cpu\": {\"quota\": 20000, \"period\": 100000}}",
                top + "/c1");
        Cli.Result r = Cli.run(bundle, "--root", dir.resolve("state").toString(), "run", "c1");
        assertEquals(0, r.status(), r.err());
        List<String> limits = Files.readString(dir.resolve("out/limits")).strip().lines().toList();
        assertEquals(host.mode() == CgroupHost.Mode.UNIFIED ? List.of("67108864", "32", "20000 100000")
                : List.of("67108864", "32", "20000"), limits);
        assertNoCgroupLeft();
    }

    @Test
    void aLimitTheKernelRefusesFailsTheRunAndLeavesNothing(@TempDir Path dir) throws Exception {
        Path bundle = bundle(dir, "echo ran > /out/ran", "{\"cpu\": {\"quota\": 500, \"period\": 100000}}", top + "/bad");
        Cli.Result r = Cli.run(bundle, "--root", dir.resolve("state").toString(), "run", "c2");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("container c2: linux.resources.cpu.quota: write \"500\" to "), r.err());
        assertFalse(Files.exists(dir.resolve("out/ran")), "nothing of the user's ran");
        assertFalse(Files.exists(dir.resolve("state/c2")));
        assertNoCgroupLeft();
    }

    @Test
    void systemdCgroupWithoutSystemdNamesTheFlag(@TempDir Path dir) throws Exception {
        assumeTrue(!Files.isDirectory(Path.of("/run/systemd/system")), "systemd runs here");
        Path bundle = bundle(dir, "true", "{}", "system.slice:jsyd:c3");
        Cli.Result r = Cli.run(bundle, "--root", dir.resolve("state").toString(), "--systemd-cgroup", "run", "c3");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("$.linux.cgroupsPath: --systemd-cgroup asks for systemd's cgroup driver, but systemd"
                + " is not running on this host"), r.err());
    }
}
