package io.jsyd.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.linux.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a cgroup v2 manager writes for each linux.resources field, against a
 * fake cgroupfs; the expected values are what runc (opencontainers/cgroups fs2)
 * writes for the same config.
 */
class V2ManagerTest {
    @TempDir
    Path tmp;
    FakeCgroupFs fs;
    CgroupHost host;

    static Map<String, String> v2Files() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        f.put("cgroup.subtree_control", "");
        f.put("cgroup.procs", "");
        f.put("cgroup.events", "populated 0\nfrozen 0\n");
        f.put("cgroup.freeze", "0\n");
        f.put("cgroup.kill", "");
        for (String name : List.of("memory.max", "memory.swap.max", "pids.max", "hugetlb.2MB.max",
                "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max", "hugetlb.1GB.rsvd.max")) {
            f.put(name, "max\n");
        }
        f.put("memory.low", "0\n");
        f.put("memory.current", "4096\n");
        f.put("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        f.put("memory.high", "max\n");
        f.put("cpu.weight", "100\n");
        f.put("cpu.max", "max 100000\n");
        f.put("cpu.max.burst", "0\n");
        f.put("cpu.idle", "0\n");
        f.put("io.max", "");
        f.put("io.weight", "default 100\n");
        f.put("cpuset.cpus", "");
        f.put("cpuset.mems", "");
        f.put("rdma.max", "");
        return f;
    }

    @BeforeEach
    void unifiedHost() {
        fs = new FakeCgroupFs(tmp);
        Path mount = fs.hierarchy("/sys/fs/cgroup", v2Files());
        host = new CgroupHost(List.of(), new CgroupHost.Hierarchy(mount, "/", Set.of()),
                Map.of("", "/user.slice/session-1.scope"), List.of("1GB", "2MB"));
    }

    private CgroupManager manager(String path, Resources r) {
        return Cgroups.manager(new CgroupConfig(CgroupPath.of(path), r), host, fs);
    }

    private static Resources with(Resources.Memory m, Resources.Cpu c, Resources.BlockIo io, Long pids) {
        return new Resources(m, c, io, List.of(), null, pids, Map.of(), Map.of(), null);
    }

    private Path dir(String rel) {
        return tmp.resolve("sys/fs/cgroup").resolve(rel);
    }

    @Test
    void aRelativePathGoesBesideTheRuntimesOwnCgroupAndAnAbsoluteOneFromTheTop() {
        assertEquals(Map.of("", dir("user.slice/c1")), manager("c1", Resources.NONE).paths());
        assertEquals(Map.of("", dir("machine/c1")), manager("/machine/c1", Resources.NONE).paths());
        assertEquals(Map.of("", dir("a")), manager("/x/../../a", Resources.NONE).paths());
    }

    @Test
    void createMakesEachLevelWithTheControllersEnabledAboveIt() {
        CgroupManager m = manager("/machine/pod/c1", with(null, null, null, 7L));
        m.create();
        assertTrue(Files.isDirectory(dir("machine/pod/c1")));
        assertEquals(List.of("+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc"),
                fs.values("cgroup.subtree_control").stream().distinct().toList());
        assertEquals(3, fs.writesTo("cgroup.subtree_control").size(), "the top, machine and pod pass them down");
        assertEquals(List.of("7"), fs.values("pids.max"));
        m.join(4242);
        assertEquals(List.of("sys/fs/cgroup/machine/pod/c1/cgroup.procs=4242"), fs.writesTo("cgroup.procs"));
        fs.put(dir("machine/pod/c1/cgroup.procs"), "");
        m.destroy();
        assertFalse(Files.exists(dir("machine")), "the parents create made go too");
        m.destroy();
    }

    @Test
    void aParentThatWasThereStays() throws Exception {
        fs.mkdir(dir("machine"));
        CgroupManager m = manager("/machine/c1", Resources.NONE);
        m.create();
        m.destroy();
        assertFalse(Files.exists(dir("machine/c1")));
        assertTrue(Files.exists(dir("machine")));
    }

    @Test
    void pidsZeroIsOneAndMinusOneIsMax() {
        manager("/a", with(null, null, null, 0L)).create();
        manager("/b", with(null, null, null, -1L)).create();
        assertEquals(List.of("1", "max"), fs.values("pids.max"));
    }

    @Test
    void memoryLimitSwapAndReservation() {
        manager("/a", with(new Resources.Memory(1L << 30, 1L << 29, 3L << 29, null, null, false), null, null, null)).create();
        assertEquals(List.of("sys/fs/cgroup/a/memory.swap.max=536870912", "sys/fs/cgroup/a/memory.max=1073741824",
                "sys/fs/cgroup/a/memory.low=536870912"), fs.writes.stream().filter(w -> w.contains("/memory.")).toList());
    }

    @Test
    void swapEqualToTheLimitMeansNoSwapAndMinusOneMeansMax() {
        manager("/a", with(new Resources.Memory(1000L, null, 1000L, null, null, false), null, null, null)).create();
        manager("/b", with(new Resources.Memory(1000L, null, -1L, null, null, false), null, null, null)).create();
        manager("/c", with(new Resources.Memory(-1L, null, null, null, null, false), null, null, null)).create();
        assertEquals(List.of("0", "max", "max"), fs.values("memory.swap.max"));
        assertEquals(List.of("1000", "1000", "max"), fs.values("memory.max"));
    }

    @Test
    void aSwapLimitWithoutAMemoryLimitIsRefusedAndNothingIsLeft() {
        CgroupManager m = manager("/x/a", with(new Resources.Memory(null, null, 1000L, null, null, false), null, null, null));
        CgroupException e = assertThrows(CgroupException.class, m::create);
        assertEquals("linux.resources.memory.swap: a swap limit needs a memory limit", e.getMessage());
        assertFalse(Files.exists(dir("x")));
    }

    @Test
    void checkBeforeUpdateRefusesALimitBelowTheUsage() {
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        CgroupException e = assertThrows(CgroupException.class,
                () -> m.update(with(new Resources.Memory(4096L, null, null, null, null, true), null, null, null)));
        assertTrue(e.getMessage().contains("is not above the current usage 4096"), e.getMessage());
        m.update(with(new Resources.Memory(8192L, null, null, null, null, true), null, null, null));
        assertEquals(List.of("8192"), fs.values("memory.max"));
    }

    @Test
    void cpuSharesBecomeAWeightAndQuotaPeriodBecomeCpuMax() {
        manager("/a", with(null, new Resources.Cpu(1024L, 50000L, 200000L, null, null, null, null, null, null), null, null)).create();
        manager("/b", with(null, new Resources.Cpu(512L, -1L, null, 1000L, null, null, "0-1", "0", 1L), null, null)).create();
        manager("/c", with(null, new Resources.Cpu(2L, null, 50000L, null, null, null, null, null, null), null, null)).create();
        assertEquals(List.of("100", "59", "1"), fs.values("cpu.weight"));
        assertEquals(List.of("50000 200000", "max 100000", "max 50000"), fs.values("cpu.max"));
        assertEquals(List.of("1000"), fs.values("cpu.max.burst"));
        assertEquals(List.of("1"), fs.values("cpu.idle"));
        assertEquals(List.of("0-1"), fs.values("cpuset.cpus"));
        assertEquals(List.of("0"), fs.values("cpuset.mems"));
    }

    @Test
    void aBurstAboveTheOldQuotaIsWrittenAgainAfterCpuMax() {
        fs.failWrite("cpu.max.burst", Errno.EINVAL);
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        CgroupException e = assertThrows(CgroupException.class, () -> m.update(with(null,
                new Resources.Cpu(null, null, null, 5000L, null, null, null, null, null), null, null)));
        assertTrue(e.getMessage().startsWith("linux.resources.cpu.burst: write \"5000\" to "), e.getMessage());
        assertTrue(e.getMessage().endsWith("cpu.max.burst: EINVAL (invalid argument)"), e.getMessage());
    }

    @Test
    void blockIoWeightIsConvertedAndThrottlesGoToIoMax() {
        Resources.BlockIo io = new Resources.BlockIo(500, null, List.of(),
                List.of(new Resources.ThrottleDevice(8, 0, 1048576)), List.of(new Resources.ThrottleDevice(8, 0, 2048)),
                List.of(new Resources.ThrottleDevice(8, 16, 100)), List.of(new Resources.ThrottleDevice(8, 16, 200)));
        manager("/a", with(null, null, io, null)).create();
        assertEquals(List.of("4950"), fs.values("io.weight"));
        assertEquals(List.of("8:0 rbps=1048576", "8:0 wbps=2048", "8:16 riops=100", "8:16 wiops=200"), fs.values("io.max"));
    }

    @Test
    void withBfqTheWeightStaysInItsOwnRangeAndDevicesGetTheirs() {
        Map<String, String> files = v2Files();
        files.put("io.bfq.weight", "default 100\n");
        fs = new FakeCgroupFs(tmp.resolve("bfq"));
        Path mount = fs.hierarchy("/sys/fs/cgroup", files);
        host = new CgroupHost(List.of(), new CgroupHost.Hierarchy(mount, "/", Set.of()), Map.of(), List.of());
        manager("/a", with(null, null, new Resources.BlockIo(500, null,
                List.of(new Resources.WeightDevice(8, 0, 300, null)), null, null, null, null), null)).create();
        assertEquals(List.of("500", "8:0 300\n"), fs.values("io.bfq.weight"));
        assertEquals(List.of(), fs.values("io.weight"));
    }

    @Test
    void perDeviceWeightsWithoutBfqAreAnError() {
        CgroupManager m = manager("/a", with(null, null, new Resources.BlockIo(null, null,
                List.of(new Resources.WeightDevice(8, 0, 300, null)), null, null, null, null), null));
        CgroupException e = assertThrows(CgroupException.class, m::create);
        assertTrue(e.getMessage().startsWith("linux.resources.blockIO.weightDevice: per-device weights need the BFQ"),
                e.getMessage());
        assertFalse(Files.exists(dir("a")));
    }

    @Test
    void hugepageLimitsAlsoLimitReservations() {
        manager("/a", new Resources(null, null, null, List.of(new Resources.HugepageLimit("2MB", 4L << 21),
                new Resources.HugepageLimit("1GB", 0)), null, null, null, null, null)).create();
        assertEquals(List.of("sys/fs/cgroup/a/hugetlb.2MB.max=8388608", "sys/fs/cgroup/a/hugetlb.2MB.rsvd.max=8388608",
                "sys/fs/cgroup/a/hugetlb.1GB.max=0", "sys/fs/cgroup/a/hugetlb.1GB.rsvd.max=0"),
                fs.writes.stream().filter(w -> w.contains("/hugetlb.")).toList());
    }

    @Test
    void rdmaAndUnifiedKeys() {
        Map<String, String> unified = new LinkedHashMap<>();
        unified.put("memory.high", "1000000");
        unified.put("io.max", "8:0 rbps=10\n8:16 wbps=20");
        manager("/a", new Resources(null, null, null, List.of(), null, null,
                Map.of("mlx5_1", new Resources.RdmaLimit(3L, 10000L), "mlx4_0", new Resources.RdmaLimit(null, 7L)),
                unified, null)).create();
        assertEquals(List.of("mlx4_0 hca_object=7", "mlx5_1 hca_handle=3 hca_object=10000"), fs.values("rdma.max"));
        assertEquals(List.of("1000000"), fs.values("memory.high"));
        assertEquals(List.of("8:0 rbps=10", "8:16 wbps=20"), fs.values("io.max"));
    }

    @Test
    void aUnifiedKeyOfAControllerTheHostLacksSaysSo() {
        CgroupManager m = manager("/a", new Resources(null, null, null, List.of(), null, null, null,
                Map.of("nosuch.max", "1"), null));
        CgroupException e = assertThrows(CgroupException.class, m::create);
        assertTrue(e.getMessage().startsWith("linux.resources.unified[nosuch.max]: the nosuch controller is not available in "),
                e.getMessage());
        assertFalse(Files.exists(dir("a")));
    }

    @Test
    void fieldsOnlyV1HasAreRefusedBeforeAnythingIsMade() {
        for (Resources r : List.of(
                with(new Resources.Memory(null, null, null, 60L, null, false), null, null, null),
                with(new Resources.Memory(null, null, null, null, true, false), null, null, null),
                with(null, new Resources.Cpu(null, null, null, null, 950000L, 1000000L, null, null, null), null, null),
                with(null, null, new Resources.BlockIo(null, 300, null, null, null, null, null), null),
                new Resources(null, null, null, List.of(), new Resources.Network(7L, null), null, null, null, null))) {
            assertThrows(CgroupException.class, () -> manager("/a", r));
        }
        assertEquals(List.of(), fs.writes);
        CgroupException e = assertThrows(CgroupException.class, () -> manager("/a",
                new Resources(null, null, null, List.of(), new Resources.Network(7L, null), null, null, null, null)));
        assertEquals("linux.resources.network: net_cls and net_prio exist only in cgroup v1", e.getMessage());
    }

    @Test
    void aControllerTheHierarchyLacksIsNamed() {
        fs.put(tmp.resolve("sys/fs/cgroup/cgroup.controllers"), "cpu memory\n");
        CgroupException e = assertThrows(CgroupException.class, () -> manager("/a", with(null, null, null, 5L)));
        assertEquals("linux.resources.pids: the pids controller is not available in the cgroup v2 hierarchy at "
                + tmp.resolve("sys/fs/cgroup") + " (it has: cpu memory)", e.getMessage());
    }

    @Test
    void devicesBecomeAnEbpfProgram() {
        manager("/a", new Resources(null, null, null, List.of(), null, null, null, null, List.of(
                new DeviceRule(false, 'a', -1, -1, "rwm"), new DeviceRule(true, 'c', 1, 3, "rwm")))).create();
        assertEquals(List.of("sys/fs/cgroup/a: 13 instructions, Apache"), fs.programs);
    }

    @Test
    void freezeWaitsForFrozenAndThawUndoes() {
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        assertEquals(CgroupManager.FreezerState.THAWED, m.freezerState());
        fs.put(dir("a/cgroup.events"), "populated 1\nfrozen 1\n");
        m.freeze();
        assertEquals(CgroupManager.FreezerState.FROZEN, m.freezerState());
        m.thaw();
        assertEquals(List.of("1", "0"), fs.values("cgroup.freeze"));
    }

    @Test
    void killUsesCgroupKill() {
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        m.signalAll(9);
        assertEquals(List.of("1"), fs.values("cgroup.kill"));
    }

    @Test
    void statsFollowRuncsMapping() {
        CgroupManager m = manager("/a", Resources.NONE);
        m.create();
        fs.put(dir("a/cpu.stat"), "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 4\nthrottled_usec 2000\n");
        fs.put(dir("a/memory.stat"), "anon 100\nfile 200\n");
        fs.put(dir("a/memory.current"), "300\n");
        fs.put(dir("a/memory.max"), "1000\n");
        fs.put(dir("a/memory.peak"), "400\n");
        fs.put(dir("a/memory.swap.current"), "50\n");
        fs.put(dir("a/memory.swap.max"), "max\n");
        fs.put(dir("a/pids.current"), "3\n");
        fs.put(dir("a/io.stat"), "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
        fs.put(dir("a/hugetlb.2MB.current"), "0\n");
        fs.put(dir("a/hugetlb.2MB.rsvd.current"), "2097152\n");
        fs.put(dir("a/hugetlb.2MB.events"), "max 5\n");
        Stats s = m.stats();
        assertEquals(new Stats.Cpu(1500000, List.of(), List.of(), List.of(), 500000, 1000000, 10, 4, 2000000), s.cpu());
        assertEquals(200, s.memory().cache());
        assertEquals(new Stats.MemoryEntry(1000, 300, 400, 0), s.memory().usage());
        assertEquals(new Stats.MemoryEntry(-1L, 350, 0, 0), s.memory().swap());
        assertEquals(new Stats.Pids(3, 0), s.pids());
        assertEquals(List.of(new Stats.BlkioEntry(8, 0, "Read", 10), new Stats.BlkioEntry(8, 0, "Write", 20)),
                s.blkio().ioServiceBytesRecursive());
        assertEquals(Map.of("2MB", new Stats.Hugetlb(2097152, 0, 5)), s.hugetlb());
        fs.put(dir("a/memory.events"), "oom 2\noom_kill 1\n");
        assertEquals(1, m.oomKillCount());
    }
}
