package io.jsyd.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.CgroupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a cgroup v1 manager writes, on a fake hybrid host shaped like this
 * machine (v1 controllers, cpu and cpuacct comounted, cgroup2 at
 * /sys/fs/cgroup/unified holding hugetlb); expected values are runc's (fs).
 */
class V1ManagerTest {
    @TempDir
    Path tmp;
    FakeCgroupFs fs;
    CgroupHost host;

    private static Map<String, String> files(String... nameValue) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cgroup.procs", "");
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put(nameValue[i], nameValue[i + 1]);
        }
        return m;
    }

    @BeforeEach
    void hybridHost() {
        fs = new FakeCgroupFs(tmp);
        List<CgroupHost.Hierarchy> v1 = new ArrayList<>();
        v1.add(h("/sys/fs/cgroup/cpu,cpuacct", Set.of("cpu", "cpuacct"), files("cpu.shares", "1024\n",
                "cpu.cfs_period_us", "100000\n", "cpu.cfs_quota_us", "-1\n", "cpu.cfs_burst_us", "0\n", "cpu.idle", "0\n",
                "cpu.rt_period_us", "1000000\n", "cpu.rt_runtime_us", "0\n", "cpuacct.usage", "0\n")));
        // a new v1 cpuset starts with no cpus and no mems
        v1.add(h("/sys/fs/cgroup/cpuset", Set.of("cpuset"), files("cpuset.cpus", "\n", "cpuset.mems", "\n")));
        fs.put(tmp.resolve("sys/fs/cgroup/cpuset/cpuset.cpus"), "0-1\n");
        fs.put(tmp.resolve("sys/fs/cgroup/cpuset/cpuset.mems"), "0\n");
        v1.add(h("/sys/fs/cgroup/memory", Set.of("memory"), files("memory.limit_in_bytes", "9223372036854771712\n",
                "memory.memsw.limit_in_bytes", "9223372036854771712\n", "memory.soft_limit_in_bytes", "0\n",
                "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n", "memory.swappiness", "60\n",
                "memory.usage_in_bytes", "0\n", "memory.max_usage_in_bytes", "0\n")));
        v1.add(h("/sys/fs/cgroup/devices", Set.of("devices"), files("devices.allow", "", "devices.deny", "",
                "devices.list", "a *:* rwm\n")));
        v1.add(h("/sys/fs/cgroup/freezer", Set.of("freezer"), files("freezer.state", "THAWED\n",
                "freezer.self_freezing", "0\n")));
        v1.add(h("/sys/fs/cgroup/blkio", Set.of("blkio"), files("blkio.weight", "500\n", "blkio.weight_device", "",
                "blkio.leaf_weight", "500\n", "blkio.leaf_weight_device", "", "blkio.throttle.read_bps_device", "",
                "blkio.throttle.write_bps_device", "", "blkio.throttle.read_iops_device", "",
                "blkio.throttle.write_iops_device", "")));
        v1.add(h("/sys/fs/cgroup/pids", Set.of("pids"), files("pids.max", "max\n")));
        v1.add(h("/sys/fs/cgroup/net_cls,net_prio", Set.of("net_cls", "net_prio"), files("net_cls.classid", "0\n",
                "net_prio.ifpriomap", "lo 0\n")));
        v1.add(h("/sys/fs/cgroup/systemd", Set.of("name=systemd"), files()));
        Path unified = fs.hierarchy("/sys/fs/cgroup/unified", files("cgroup.controllers", "hugetlb\n",
                "cgroup.subtree_control", "", "cgroup.kill", "", "hugetlb.2MB.max", "max\n"));
        host = new CgroupHost(v1, new CgroupHost.Hierarchy(unified, "/", Set.of()),
                Map.of("cpu", "/", "cpuacct", "/", "memory", "/session/x", "", "/"), List.of("2MB"));
    }

    private CgroupHost.Hierarchy h(String mount, Set<String> controllers, Map<String, String> f) {
        return new CgroupHost.Hierarchy(fs.hierarchy(mount, f), "/", controllers);
    }

    private CgroupManager manager(String path, Resources r) {
        return Cgroups.manager(new CgroupConfig(CgroupPath.of(path), r), host, fs);
    }

    private Path dir(String rel) {
        return tmp.resolve("sys/fs/cgroup").resolve(rel);
    }

    @Test
    void everyHierarchyGetsADirectoryAndARelativePathSitsBelowOurOwnCgroup() {
        Map<String, Path> p = manager("c1", Resources.NONE).paths();
        assertEquals(dir("cpu,cpuacct/c1"), p.get("cpu"));
        assertEquals(dir("cpu,cpuacct/c1"), p.get("cpuacct"));
        assertEquals(dir("memory/session/x/c1"), p.get("memory"));
        assertEquals(dir("systemd/c1"), p.get("name=systemd"));
        assertEquals(dir("unified/c1"), p.get(""));
        assertEquals(dir("memory/m/c1"), manager("/m/c1", Resources.NONE).paths().get("memory"));
    }

    @Test
    void createJoinAndDestroyTouchEveryHierarchy() {
        CgroupManager m = manager("/jsyd/c1", Resources.NONE);
        m.create();
        m.join(77);
        assertEquals(10, fs.writesTo("cgroup.procs").size(), "nine v1 hierarchies and the v2 one");
        for (String d : List.of("cpu,cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                "net_cls,net_prio", "systemd", "unified")) {
            fs.put(dir(d + "/jsyd/c1/cgroup.procs"), "");
        }
        m.destroy();
        try (var s = Files.walk(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().equals("jsyd")).toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aNewCpusetGetsItsParentsCpusAndMemsAtEveryLevel() {
        manager("/a/b", Resources.NONE).create();
        assertEquals(List.of("sys/fs/cgroup/cpuset/a/cpuset.cpus=0-1", "sys/fs/cgroup/cpuset/a/cpuset.mems=0",
                "sys/fs/cgroup/cpuset/a/b/cpuset.cpus=0-1", "sys/fs/cgroup/cpuset/a/b/cpuset.mems=0"),
                fs.writes.stream().filter(w -> w.contains("cpuset/")).toList());
    }

    @Test
    void memoryAndSwapGoInTheOrderTheKernelAccepts() {
        CgroupManager m = manager("/a", new Resources(new Resources.Memory(1000L, 500L, 2000L, 10L, true, false),
                null, null, List.of(), null, null, null, null, null));
        m.create();
        assertEquals(List.of("memory.limit_in_bytes=1000", "memory.memsw.limit_in_bytes=2000",
                "memory.soft_limit_in_bytes=500", "memory.oom_control=1", "memory.swappiness=10"),
                fs.writes.stream().filter(w -> w.contains("/memory/")).map(w -> w.substring(w.lastIndexOf('/') + 1)).toList());
        // memory may never exceed memory+swap: growing past the current limit raises memory+swap first
        fs.put(dir("memory/a/memory.limit_in_bytes"), "1000\n");
        fs.writes.clear();
        m.update(new Resources(new Resources.Memory(3000L, null, 4000L, null, null, false), null, null, List.of(), null,
                null, null, null, null));
        assertEquals(List.of("memory.memsw.limit_in_bytes=4000", "memory.limit_in_bytes=3000"),
                fs.writes.stream().map(w -> w.substring(w.lastIndexOf('/') + 1)).toList());
        fs.writes.clear();
        m.update(new Resources(new Resources.Memory(-1L, null, null, null, null, false), null, null, List.of(), null,
                null, null, null, null));
        assertEquals(List.of("memory.memsw.limit_in_bytes=-1", "memory.limit_in_bytes=-1"),
                fs.writes.stream().map(w -> w.substring(w.lastIndexOf('/') + 1)).toList());
    }

    @Test
    void cpuFilesAndTheSharesReadBack() {
        manager("/a", new Resources(null, new Resources.Cpu(512L, 50000L, 200000L, 1000L, 95000L, 1000000L, "1", "0", 1L),
                null, List.of(), null, null, null, null, null)).create();
        assertEquals(List.of("cpu.shares=512", "cpu.cfs_period_us=200000", "cpu.cfs_burst_us=1000",
                "cpu.cfs_quota_us=50000", "cpu.idle=1", "cpu.rt_period_us=1000000", "cpu.rt_runtime_us=95000"),
                fs.writes.stream().filter(w -> w.contains("/cpu,cpuacct/a/")).map(w -> w.substring(w.lastIndexOf('/') + 1)).toList());
        assertEquals(List.of("1", "0"), List.of(fs.values("cpuset.cpus").getLast(), fs.values("cpuset.mems").getLast()));
    }

    @Test
    void sharesTheKernelClampedAreAnError() {
        fs.store("cpu.shares", v -> Long.toString(Math.max(2, Long.parseLong(v.strip()))));
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        CgroupException e = assertThrows(CgroupException.class, () -> m.update(new Resources(null,
                new Resources.Cpu(1L, null, null, null, null, null, null, null, null), null, List.of(), null, null, null,
                null, null)));
        assertEquals("linux.resources.cpu.shares: 1 is out of range; the kernel's minimum is 2", e.getMessage());
    }

    @Test
    void blkioPidsNetworkAndHugetlbInTheV2Hierarchy() {
        Resources r = new Resources(null, null, new Resources.BlockIo(300, 200,
                List.of(new Resources.WeightDevice(8, 0, 100, 50)), List.of(new Resources.ThrottleDevice(8, 0, 1024)),
                null, null, List.of(new Resources.ThrottleDevice(8, 16, 10))),
                List.of(new Resources.HugepageLimit("2MB", 2097152)),
                new Resources.Network(0x100001L, List.of(new Resources.InterfacePriority("eth0", 5))), 64L, null, null, null);
        CgroupManager m = manager("/a", r);
        m.create();
        assertEquals(List.of("blkio.weight=300", "blkio.leaf_weight=200", "blkio.weight_device=8:0 100",
                "blkio.leaf_weight_device=8:0 50", "blkio.throttle.read_bps_device=8:0 1024",
                "blkio.throttle.write_iops_device=8:16 10"),
                fs.writes.stream().filter(w -> w.contains("/blkio/a/")).map(w -> w.substring(w.lastIndexOf('/') + 1)).toList());
        assertEquals(List.of("64"), fs.values("pids.max"));
        assertEquals(List.of("1048577"), fs.values("net_cls.classid"));
        assertEquals(List.of("eth0 5"), fs.values("net_prio.ifpriomap"));
        assertEquals(List.of("sys/fs/cgroup/unified/cgroup.subtree_control=+hugetlb",
                "sys/fs/cgroup/unified/a/hugetlb.2MB.max=2097152"),
                fs.writes.stream().filter(w -> w.contains("/unified/")).toList());
    }

    @Test
    void devicesMoveFromAllowAllToTheRules() {
        manager("/a", new Resources(null, null, null, List.of(), null, null, null, null, List.of(
                new DeviceRule(false, 'a', -1, -1, "rwm"), new DeviceRule(true, 'c', 1, 3, "rwm"),
                new DeviceRule(true, 'c', 136, -1, "rw"), new DeviceRule(true, 'c', -1, -1, "m")))).create();
        // in runc's order: by major, minor, type (a wildcard sorts first)
        assertEquals(List.of("devices.deny=a *:* rwm", "devices.allow=c *:* m", "devices.allow=c 1:3 rwm",
                "devices.allow=c 136:* rw"),
                fs.writes.stream().filter(w -> w.contains("/devices/a/")).map(w -> w.substring(w.lastIndexOf('/') + 1)).toList());
    }

    @Test
    void unifiedKeysOnV1AreRefusedAsRuncDoes() {
        CgroupException e = assertThrows(CgroupException.class, () -> manager("/a", new Resources(null, null, null,
                List.of(), null, null, null, Map.of("memory.high", "1"), null)));
        assertEquals("linux.resources.unified: these are cgroup v2 files, and this host runs its controllers on cgroup v1",
                e.getMessage());
    }

    @Test
    void aControllerNoHierarchyHasIsRefusedBeforeAnythingIsMade() {
        CgroupException e = assertThrows(CgroupException.class, () -> manager("/a", new Resources(null, null, null,
                List.of(), null, null, Map.of("mlx5_0", new Resources.RdmaLimit(1L, null)), null, null)));
        assertEquals("linux.resources.rdma: the rdma controller is not mounted on this host (no cgroup v1 hierarchy"
                + " has it, nor the cgroup v2 one)", e.getMessage());
        assertFalse(Files.exists(dir("memory/a")));
    }

    @Test
    void aFailureHalfWayRemovesWhatWasMade() {
        fs.failWrite("pids.max", io.jsyd.runtime.linux.Errno.EINVAL);
        CgroupManager m = manager("/deep/a", new Resources(null, null, null, List.of(), null, 5L, null, null, null));
        CgroupException e = assertThrows(CgroupException.class, m::create);
        assertEquals("linux.resources.pids.limit: write \"5\" to " + dir("pids/deep/a/pids.max")
                + ": EINVAL (invalid argument)", e.getMessage());
        for (String d : List.of("pids", "memory", "cpu,cpuacct", "unified", "systemd")) {
            assertFalse(Files.exists(dir(d + "/deep")), d);
        }
    }

    @Test
    void freezeWritesFrozenUntilTheStateSaysSo() {
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        m.freeze();
        assertEquals(List.of("FROZEN"), fs.values("freezer.state"));
        fs.put(dir("freezer/a/freezer.self_freezing"), "1\n");
        assertEquals(CgroupManager.FreezerState.FROZEN, m.freezerState());
        m.thaw();
        assertEquals(CgroupManager.FreezerState.THAWED, m.freezerState());
    }

    @Test
    void killGoesThroughTheV2CgroupKillOnAHybridHost() {
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        m.signalAll(9);
        assertEquals(List.of("sys/fs/cgroup/unified/a/cgroup.kill=1"), fs.writesTo("cgroup.kill"));
    }

    @Test
    void aManagerFromSavedPathsActsOnTheSameDirectories() {
        CgroupManager first = manager("c1", Resources.NONE);
        first.create();
        CgroupManager later = Cgroups.existing(new CgroupConfig(CgroupPath.of("ignored"), Resources.NONE),
                first.paths(), host, fs);
        assertEquals(first.paths(), later.paths());
        later.update(new Resources(null, null, null, List.of(), null, 9L, null, null, null));
        assertEquals(List.of("sys/fs/cgroup/pids/c1/pids.max=9"), fs.writesTo("pids.max"));
        later.destroy();
        assertFalse(Files.exists(dir("memory/session/x/c1")));
    }
}
