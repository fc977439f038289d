package io.jsyd.runtime.container;

import static io.jsyd.runtime.linux.LinuxConstants.MS_NODEV;
import static io.jsyd.runtime.linux.LinuxConstants.MS_NOEXEC;
import static io.jsyd.runtime.linux.LinuxConstants.MS_NOSUID;
import static io.jsyd.runtime.linux.LinuxConstants.MS_RDONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.cgroup.CgroupConfig;
import io.jsyd.runtime.cgroup.CgroupHost;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.CgroupPath;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.cgroup.DeviceRule;
import io.jsyd.runtime.cgroup.Resources;
import io.jsyd.runtime.cgroup.Stats;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers in real cgroups on a cgroup v1 (or hybrid) host: limits enforced,
 * device rules, freezing, update, OOM events, and nothing left afterwards.
 */
@Tag("root")
class CgroupContainerTest {
    private static final long ANY = DeviceRule.WILDCARD;
    private static CgroupHost host;
    private final String top = "/jsyd-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<CgroupManager> managers = new ArrayList<>();

    @BeforeAll
    static void v1Host() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces and cgroups");
        assumeTrue(BusyboxRootfs.available(), "needs busybox-static at /bin/busybox");
        host = CgroupHost.system();
        assumeTrue(host.mode() == CgroupHost.Mode.HYBRID || host.mode() == CgroupHost.Mode.LEGACY,
                "these tests use cgroup v1 controllers; the host runs " + host.mode());
        for (String c : List.of("memory", "pids", "cpu", "cpuacct", "devices", "freezer")) {
            assumeTrue(host.hierarchyOf(c) != null, "needs the v1 " + c + " controller");
        }
    }

    @AfterEach
    void nothingLeft() {
        for (CgroupManager m : managers) {
            m.destroy();
        }
        for (CgroupHost.Hierarchy h : host.hierarchies()) {
            assertFalse(Files.exists(h.mountPoint().resolve(top.substring(1))), "left behind in " + h.mountPoint());
        }
        if (host.unified() != null) {
            assertFalse(Files.exists(host.unified().mountPoint().resolve(top.substring(1))));
        }
    }

    private static Resources resources(Resources.Memory m, Resources.Cpu c, Long pids, List<DeviceRule> devices) {
        return new Resources(m, c, null, List.of(), null, pids, Map.of(), Map.of(), devices);
    }

    /** A busybox container with /sys/fs/cgroup mounted, writing to /out. */
    private static ContainerConfig config(Path dir, String script, boolean cgroupNs, CgroupConfig cgroup) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        for (String applet : List.of("dd", "mknod", "kill", "seq")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Path out = Files.createDirectories(dir.resolve("out"));
        List<Namespace> extra = cgroupNs ? List.of(new Namespace(NamespaceKind.CGROUP, null, "linux.namespaces[4]"))
                : List.of();
        ContainerConfig base = ContainerLauncherTest.config(rootfs, out, List.of("sh", "-c", script), extra);
        List<MountEntry> mounts = new ArrayList<>(base.mounts());
        mounts.add(new MountEntry("mounts[5]", "/sys/fs/cgroup", "cgroup", "cgroup", false, false,
                MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, List.of(), 0, 0, ""));
        return new ContainerConfig(base.id(), rootfs, false, base.namespaces(), List.of(), List.of(), List.of(), mounts,
                List.of(), List.of(), List.of(), "box", "", Map.of(), 0, false, base.process(), 0, cgroup);
    }

    private CgroupManager manager(CgroupConfig c) {
        CgroupManager m = Cgroups.manager(c, host, io.jsyd.runtime.cgroup.CgroupFs.system());
        managers.add(m);
        return m;
    }

    private static Launched launch(ContainerConfig c, CgroupManager m) {
        try (InitStub stub = InitStub.load()) {
            return new ContainerLauncher(stub, HostView.system()).launch(c, m);
        }
    }

    private static String read(Path p) throws Exception {
        return Files.readString(p).strip();
    }

    @Test
    void limitsAreInForceBeforeTheFirstCommandAndVisibleInside(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/c1"), resources(
                new Resources.Memory(64L << 20, null, null, null, null, false),
                new Resources.Cpu(512L, 50000L, 100000L, null, null, null, null, null, null), 42L, null));
        CgroupManager m = manager(cg);
        ContainerConfig c = config(dir, "cat /proc/self/cgroup > /out/cgroup;"
                + " cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"
                + " /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares > /out/limits", false, cg);
        assertEquals(0, Processes.waitFor(launch(c, m).initPid()).exitCode());
        String cgroup = read(dir.resolve("out/cgroup"));
        assertTrue(cgroup.lines().anyMatch(l -> l.matches("\\d+:memory:" + top + "/c1")), cgroup);
        assertTrue(cgroup.lines().anyMatch(l -> l.matches("\\d+:pids:" + top + "/c1")), cgroup);
        assertEquals(List.of("67108864", "42", "50000", "512"), read(dir.resolve("out/limits")).lines().toList());
    }

    @Test
    void inACgroupNamespaceTheContainerIsAtTheTop(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/c1"), resources(
                new Resources.Memory(32L << 20, null, null, null, null, false), null, null, null));
        CgroupManager m = manager(cg);
        ContainerConfig c = config(dir, "cat /proc/self/cgroup > /out/cgroup;"
                + " cat /sys/fs/cgroup/memory/memory.limit_in_bytes > /out/limit", true, cg);
        assertEquals(0, Processes.waitFor(launch(c, m).initPid()).exitCode());
        assertTrue(read(dir.resolve("out/cgroup")).lines().allMatch(l -> l.endsWith(":/")), read(dir.resolve("out/cgroup")));
        assertEquals("33554432", read(dir.resolve("out/limit")));
    }

    @Test
    void aMemoryHogIsKilledAtTheLimitAndTheOomEventIsSeen(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/hog"), resources(
                new Resources.Memory(16L << 20, null, 16L << 20, null, null, false), null, null, null));
        CgroupManager m = manager(cg);
        ContainerConfig c = config(dir, "sleep 0.5; dd if=/dev/zero of=/dev/null bs=64M count=1", false, cg);
        Launched l = launch(c, m);
        try (CgroupManager.OomWatch watch = m.watchOom()) {
            assertEquals(128 + 9, Processes.waitFor(l.initPid()).exitCode());
            assertTrue(watch.await(5000), "an OOM event");
        }
        assertTrue(m.oomKillCount() >= 1);
        assertEquals(16L << 20, m.stats().memory().usage().max(), "the peak is the limit");
    }

    @Test
    void aPidsLimitRefusesFork(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/pids"), resources(null, null, 6L, null));
        CgroupManager m = manager(cg);
        // the shell gives up at the first fork the kernel refuses
        ContainerConfig c = config(dir, "i=0; while [ $i -lt 12 ]; do sleep 5 & i=$((i+1)); echo $i > /out/started;"
                + " read n < /sys/fs/cgroup/pids/pids.current; echo $n > /out/current; done", false, cg);
        Launched l = launch(c, m);
        assertEquals(2, Processes.waitFor(l.initPid()).exitCode(), "sh: can't fork");
        assertEquals("5", read(dir.resolve("out/started")), "the shell and five children make six");
        assertEquals("6", read(dir.resolve("out/current")));
        assertEquals(6, m.stats().pids().limit());
    }

    @Test
    void aCpuQuotaThrottles(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/cpu"), resources(null,
                new Resources.Cpu(null, 10000L, 100000L, null, null, null, null, null, null), null, null));
        CgroupManager m = manager(cg);
        Launched l = launch(config(dir, "while :; do :; done", false, cg), m);
        long start = System.nanoTime();
        Thread.sleep(1500);
        Stats s = m.stats();
        double wall = (System.nanoTime() - start) / 1e9;
        m.signalAll(9);
        assertEquals(128 + 9, Processes.waitFor(l.initPid()).exitCode());
        double used = s.cpu().total() / 1e9;
        assertTrue(used < 0.25 * wall, "10% quota, but used " + used + " s of CPU in " + wall + " s");
        assertTrue(used > 0.02, "the loop ran: " + used + " s");
        assertTrue(s.cpu().throttledPeriods() > 0, "throttled periods: " + s.cpu());
    }

    @Test
    void deviceRulesBlockWhatTheyDoNotAllow(@TempDir Path dir) throws Exception {
        List<DeviceRule> rules = List.of(new DeviceRule(false, 'a', ANY, ANY, "rwm"),
                new DeviceRule(true, 'c', ANY, ANY, "m"), new DeviceRule(true, 'b', ANY, ANY, "m"),
                new DeviceRule(true, 'c', 1, 3, "rwm"), new DeviceRule(true, 'c', 1, 5, "rwm"),
                new DeviceRule(true, 'c', 1, 9, "r"));
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/dev"), resources(null, null, null, rules));
        CgroupManager m = manager(cg);
        String script = "r() { \"$@\" >/dev/null 2>&1; echo $?; };"
                + " { r head -c 1 /dev/zero; r sh -c 'echo x > /dev/null'; r mknod /tmp/sda b 8 0; r head -c 1 /tmp/sda;"
                + " r mknod /tmp/kmsg c 1 11; r head -c 1 /tmp/kmsg; r head -c 1 /dev/urandom;"
                + " r sh -c 'echo x > /dev/urandom'; } > /out/rc";
        assertEquals(0, Processes.waitFor(launch(config(dir, script, false, cg), m).initPid()).exitCode());
        assertEquals(List.of("0", "0", "0", "1", "0", "1", "0", "1"), read(dir.resolve("out/rc")).lines().toList());
    }

    @Test
    void pauseStopsTheContainerAndResumeLetsItGoOn(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/frz"), Resources.NONE);
        CgroupManager m = manager(cg);
        Launched l = launch(config(dir, "while :; do echo x >> /out/ticks; sleep 0.02; done", false, cg), m);
        Path ticks = dir.resolve("out/ticks");
        Thread.sleep(300);
        m.freeze();
        assertEquals(CgroupManager.FreezerState.FROZEN, m.freezerState());
        long frozenAt = Files.size(ticks);
        Thread.sleep(400);
        assertEquals(frozenAt, Files.size(ticks), "nothing runs while frozen");
        m.thaw();
        assertEquals(CgroupManager.FreezerState.THAWED, m.freezerState());
        Thread.sleep(400);
        assertTrue(Files.size(ticks) > frozenAt, "it goes on after thaw");
        assertTrue(m.pids().contains(l.initPid()));
        m.signalAll(9);
        assertEquals(128 + 9, Processes.waitFor(l.initPid()).exitCode());
    }

    @Test
    void updateChangesLiveLimits(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/upd"), resources(
                new Resources.Memory(64L << 20, null, null, null, null, false), null, 10L, null));
        CgroupManager m = manager(cg);
        Launched l = launch(config(dir, "sleep 30", false, cg), m);
        Path pids = m.paths().get("pids");
        Path memory = m.paths().get("memory");
        assertEquals("10", read(pids.resolve("pids.max")));
        m.update(new Resources(new Resources.Memory(128L << 20, null, null, null, null, false),
                new Resources.Cpu(256L, null, null, null, null, null, null, null, null), null, List.of(), null, 20L,
                Map.of(), Map.of(), null));
        assertEquals("20", read(pids.resolve("pids.max")));
        assertEquals(Long.toString(128L << 20), read(memory.resolve("memory.limit_in_bytes")));
        assertEquals("256", read(m.paths().get("cpu").resolve("cpu.shares")));
        // a limit below what the container uses is refused by the kernel and reported
        CgroupException e = assertThrows(CgroupException.class, () -> m.update(new Resources(
                new Resources.Memory(4096L, null, null, null, null, false), null, null, List.of(), null, null,
                Map.of(), Map.of(), null)));
        assertTrue(e.getMessage().startsWith("linux.resources.memory.limit: cannot set 4096"), e.getMessage());
        m.signalAll(9);
        Processes.waitFor(l.initPid());
    }

    @Test
    void destroyKillsWhatIsLeftAndRemovesEverything(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/a/b"), resources(null, null, 100L, null));
        CgroupManager m = manager(cg);
        Launched l = launch(config(dir, "sleep 30 & sleep 30", false, cg), m);
        Thread.sleep(200);
        assertTrue(m.pids().size() >= 2, "init and its child: " + m.pids());
        Thread reaper = Thread.ofVirtual().start(() -> Processes.waitFor(l.initPid()));
        m.destroy();
        reaper.join(5000);
        assertFalse(reaper.isAlive());
    }

    @Test
    void aControllerTheHostLacksFailsBeforeAnythingIsMade() {
        Resources net = new Resources(null, null, null, List.of(), new Resources.Network(0x100001L, List.of()), null,
                Map.of(), Map.of(), null);
        assumeTrue(host.hierarchyOf("net_cls") == null, "this host has net_cls");
        CgroupException e = assertThrows(CgroupException.class,
                () -> manager(new CgroupConfig(new CgroupPath.Absolute(top + "/net"), net)));
        assertTrue(e.getMessage().startsWith("linux.resources.network: the net_cls controller is not mounted"), e.getMessage());
    }

    @Test
    void aValueTheKernelRefusesStopsTheStartAndLeavesNothing(@TempDir Path dir) throws Exception {
        CgroupConfig cg = new CgroupConfig(new CgroupPath.Absolute(top + "/bad/c"), resources(null,
                new Resources.Cpu(null, 500L, 100000L, null, null, null, null, null, null), null, null));
        CgroupManager m = manager(cg);
        CgroupException e = assertThrows(CgroupException.class, () -> launch(config(dir, "true", false, cg), m));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.quota: write \"500\" to "), e.getMessage());
        assertTrue(e.getMessage().endsWith("cpu.cfs_quota_us: EINVAL (invalid argument)"), e.getMessage());
    }
}
