package io.jsyd.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupHostTest {
    /** This machine's layout: v1 controllers, cgroup2 at /sys/fs/cgroup/unified. */
    static final List<String> HYBRID = List.of(
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "90 80 0:32 /docker/x /var/lib/other/memory rw,relatime - cgroup cgroup rw,memory");

    @Test
    void aHybridHostHasBothAndKnowsWhereWeSit() {
        CgroupHost h = CgroupHost.parse(HYBRID, List.of("9:name=systemd:/", "4:memory:/process_api/91", "1:cpu,cpuacct:/",
                "0::/"), List.of());
        assertEquals(CgroupHost.Mode.HYBRID, h.mode());
        assertEquals(3, h.hierarchies().size(), "the bind of memory elsewhere is the same hierarchy");
        assertEquals(Path.of("/sys/fs/cgroup/memory"), h.hierarchyOf("memory").mountPoint());
        assertEquals(Set.of("cpu", "cpuacct"), h.hierarchyOf("cpuacct").controllers());
        assertEquals(Set.of("name=systemd"), h.hierarchyOf("name=systemd").controllers());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), h.unified().mountPoint());
        assertEquals("/process_api/91", h.ownCgroup(h.hierarchyOf("memory")));
        assertEquals(List.of(1, 2), Cgroups.versions(h));
        assertNull(h.hierarchyOf("hugetlb"));
    }

    @Test
    void cgroup2AtTheTopMakesTheHostUnified() {
        CgroupHost h = CgroupHost.parse(List.of(
                "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot"),
                List.of("0::/user.slice/user-0.slice/session-1.scope"), List.of());
        assertEquals(CgroupHost.Mode.UNIFIED, h.mode());
        assertEquals(List.of(2), Cgroups.versions(h));
        assertEquals("/user.slice/user-0.slice/session-1.scope", h.ownCgroup(h.unified()));
    }

    @Test
    void inAContainerTheMountRootIsKeptForRelativePaths() {
        CgroupHost h = CgroupHost.parse(List.of(
                "35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory"),
                List.of("4:memory:/docker/abc/inner"), List.of());
        assertEquals(CgroupHost.Mode.LEGACY, h.mode());
        assertEquals(Path.of("/sys/fs/cgroup/memory/inner/c1"),
                Cgroups.dir(h, h.hierarchyOf("memory"), new CgroupPath.Relative("c1"), false));
        assertEquals(Path.of("/sys/fs/cgroup/memory/abs"),
                Cgroups.dir(h, h.hierarchyOf("memory"), new CgroupPath.Absolute("/abs"), false));
    }

    @Test
    void pageSizesAreNamedAsTheHugetlbFilesNameThem() {
        assertEquals("2MB", CgroupHost.pageSize("hugepages-2048kB"));
        assertEquals("1GB", CgroupHost.pageSize("hugepages-1048576kB"));
        assertEquals("64KB", CgroupHost.pageSize("hugepages-64kB"));
        assertNull(CgroupHost.pageSize("nr_hugepages"));
    }

    @Test
    void pathsAreCleanedAsRuncCleansThem() {
        assertEquals("/a/b", new CgroupPath.Absolute("//a/./b/").path());
        assertEquals("/b", new CgroupPath.Absolute("/../../b").path());
        assertEquals("a/b", new CgroupPath.Relative("./a//b").path());
        assertThrows(IllegalArgumentException.class, () -> new CgroupPath.Relative(".."));
        assertThrows(io.jsyd.runtime.CgroupException.class, () -> Cgroups.manager(
                new CgroupConfig(new CgroupPath.Absolute("/"), Resources.NONE),
                CgroupHost.parse(HYBRID, List.of(), List.of()), new FakeCgroupFs(Path.of("/nonexistent"))));
    }

    @Test
    void noCgroupFilesystemIsAClearError() {
        var e = assertThrows(io.jsyd.runtime.CgroupException.class, () -> Cgroups.manager(
                new CgroupConfig(new CgroupPath.Relative("c"), Resources.NONE), new CgroupHost(List.of(), null, Map.of(),
                        List.of()), new FakeCgroupFs(Path.of("/nonexistent"))));
        assertEquals("no cgroup filesystem is mounted on this host", e.getMessage());
    }

    @Test
    void conversionsMatchRunc() {
        // cpu.weight from cpu.shares: runc's current curve (2 -> 1, 1024 -> 100, 262144 -> 10000)
        long[][] weights = {{2, 1}, {3, 2}, {10, 4}, {100, 17}, {512, 59}, {1024, 100}, {2048, 174}, {4096, 303},
                {100000, 4340}, {262143, 10000}, {262144, 10000}, {1000000, 10000}};
        for (long[] w : weights) {
            assertEquals(w[1], Conversions.cpuWeight(w[0]), "shares " + w[0]);
        }
        assertEquals(0, Conversions.cpuWeight(0));
        assertEquals(1, Conversions.ioWeight(10));
        assertEquals(4950, Conversions.ioWeight(500));
        assertEquals(10000, Conversions.ioWeight(1000));
        assertEquals(1000, Conversions.swapV2(2000, 1000));
        assertEquals(-1, Conversions.swapV2(0, -1));
        assertEquals(0, Conversions.swapV2(0, 1000));
        assertEquals(5000, Conversions.swapV2(5000, -1));
    }
}
