package io.jsyd.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The v2 manager on the real cgroup2 hierarchy: /sys/fs/cgroup on a unified host,
 * /sys/fs/cgroup/unified on a hybrid one (with whatever controllers it has, maybe
 * none). Placement, cgroup.freeze, cgroup.kill, the device eBPF program, removal.
 */
@Tag("root")
class UnifiedHierarchyTest {
    private static CgroupHost v2;
    private final String top = "/jsyd-test-" + UUID.randomUUID().toString().substring(0, 8);
    private Process process;
    private CgroupManager manager;

    @BeforeAll
    static void cgroup2() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to make cgroups");
        CgroupHost host = CgroupHost.system();
        assumeTrue(host.unified() != null, "no cgroup2 hierarchy mounted");
        // the v2 hierarchy alone, as a unified host would have it
        v2 = new CgroupHost(List.of(), host.unified(), host.own(), host.hugePageSizes());
    }

    @AfterEach
    void nothingLeft() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
        if (manager != null) {
            manager.destroy();
        }
        assertFalse(Files.exists(v2.unified().mountPoint().resolve(top.substring(1))));
    }

    /** A shell outside any container, waiting for a line on stdin before it runs {@code script}. */
    private Process waitingShell(String script) throws Exception {
        process = new ProcessBuilder("/bin/sh", "-c", "read go; " + script).redirectErrorStream(true).start();
        return process;
    }

    private static void go(Process p) throws Exception {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    private static List<String> output(Process p) throws Exception {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }

    private CgroupManager create(Resources r) {
        manager = Cgroups.manager(new CgroupConfig(new CgroupPath.Absolute(top + "/c"), r), v2, CgroupFs.system());
        manager.create();
        return manager;
    }

    @Test
    void aProcessJoinsIsFrozenThawedAndKilled() throws Exception {
        CgroupManager m = create(Resources.NONE);
        Path dir = m.paths().get("");
        Process p = waitingShell("while :; do sleep 0.05; done");
        m.join((int) p.pid());
        assertEquals(List.of((int) p.pid()), m.pids());
        assertTrue(Files.readString(Path.of("/proc/" + p.pid() + "/cgroup")).contains("0::" + top + "/c\n"));
        go(p);
        m.freeze();
        assertEquals(CgroupManager.FreezerState.FROZEN, m.freezerState());
        assertTrue(Files.readString(dir.resolve("cgroup.events")).contains("frozen 1"));
        m.thaw();
        assertEquals(CgroupManager.FreezerState.THAWED, m.freezerState());
        m.signalAll(9);
        assertEquals(128 + 9, p.waitFor());
        m.destroy();
        assertFalse(Files.exists(dir));
    }

    @Test
    void theDeviceProgramDeniesWhatTheRulesDoNotAllow() throws Exception {
        List<DeviceRule> rules = List.of(new DeviceRule(false, 'a', -1, -1, "rwm"),
                new DeviceRule(true, 'c', 1, 3, "rwm"), new DeviceRule(true, 'c', 1, 5, "r"));
        CgroupManager m = create(new Resources(null, null, null, List.of(), null, null, Map.of(), Map.of(), rules));
        Process p = waitingShell("for d in /dev/null /dev/zero /dev/kmsg /dev/full; do"
                + " (exec 3< $d) 2>/dev/null && echo \"$d open\" || echo \"$d denied\"; done;"
                + " (echo x > /dev/zero) 2>/dev/null && echo 'zero written' || echo 'zero not written'");
        m.join((int) p.pid());
        go(p);
        assertEquals(List.of("/dev/null open", "/dev/zero open", "/dev/kmsg denied", "/dev/full denied",
                "zero not written"), output(p));
        assertEquals(0, p.waitFor());
        // update replaces the program in place: now /dev/full reads too
        m.update(new Resources(null, null, null, List.of(), null, null, Map.of(), Map.of(), List.of(
                new DeviceRule(false, 'a', -1, -1, "rwm"), new DeviceRule(true, 'c', 1, 3, "rwm"),
                new DeviceRule(true, 'c', 1, 7, "r"))));
        Process q = waitingShell("(exec 3< /dev/full) 2>/dev/null && echo open || echo denied");
        m.join((int) q.pid());
        go(q);
        assertEquals(List.of("open"), output(q));
        q.waitFor();
    }

    @Test
    void theHugetlbControllerIsUsedWhereTheHierarchyHasIt() throws Exception {
        Path mount = v2.unified().mountPoint();
        assumeTrue(Files.readString(mount.resolve("cgroup.controllers")).contains("hugetlb"), "no v2 hugetlb here");
        assumeTrue(v2.hugePageSizes().contains("2MB"), "no 2MB huge pages");
        CgroupManager m = create(new Resources(null, null, null, List.of(new Resources.HugepageLimit("2MB", 4L << 21)),
                null, null, Map.of(), Map.of(), null));
        Path dir = m.paths().get("");
        assertEquals("8388608", Files.readString(dir.resolve("hugetlb.2MB.max")).strip());
        assertTrue(m.stats().hugetlb().containsKey("2MB"));
    }
}
