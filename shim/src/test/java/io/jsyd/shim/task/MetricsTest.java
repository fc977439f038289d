package io.jsyd.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import io.jsyd.runtime.cgroup.Stats;
import io.jsyd.shim.proto.cgroups.MemoryStat;
import io.jsyd.shim.proto.cgroups.Metrics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void cgroupCountersBecomeContainerdsV1Metrics() throws Exception {
        Stats s = new Stats(
                new Stats.Cpu(900, List.of(400L, 500L), List.of(), List.of(), 300, 600, 7, 2, 55),
                new Stats.Memory(4096, new Stats.MemoryEntry(1 << 20, 8192, 9000, 1), Stats.MemoryEntry.NONE, null,
                        null, Map.of("rss", 2048L, "pgfault", 33L, "total_pgmajfault", 4L,
                        "hierarchical_memsw_limit", -1L, "shmem", 5L)),
                new Stats.Pids(3, 0), null, Map.of("2MB", new Stats.Hugetlb(0, 0, 0)), null);
        Any any = io.jsyd.shim.task.Metrics.of(s);
        assertEquals("io.containerd.cgroups.v1.Metrics", any.getTypeUrl());
        Metrics m = Metrics.parseFrom(any.getValue());
        assertEquals(3, m.getPids().getCurrent());
        assertEquals(900, m.getCpu().getUsage().getTotal());
        assertEquals(List.of(400L, 500L), m.getCpu().getUsage().getPerCpuList());
        assertEquals(2, m.getCpu().getThrottling().getThrottledPeriods());
        MemoryStat mem = m.getMemory();
        assertEquals(8192, mem.getUsage().getUsage());
        assertEquals(1 << 20, mem.getUsage().getLimit());
        assertEquals(2048, mem.getRss());
        assertEquals(33, mem.getPgFault());
        assertEquals(4, mem.getTotalPgMajFault());
        // 2^64-1 ("no limit") stays all ones
        assertEquals(-1L, mem.getHierarchicalSwapLimit());
        assertEquals("2MB", m.getHugetlb(0).getPagesize());
    }

    @Test
    void aUnifiedHostGetsContainerdsV2Metrics() throws Exception {
        Stats s = new Stats(
                new Stats.Cpu(9_000_000, List.of(), List.of(), List.of(), 3_000_000, 6_000_000, 7, 2, 55_000),
                new Stats.Memory(4096, new Stats.MemoryEntry(1 << 20, 8192, 9000, 0),
                        new Stats.MemoryEntry((1 << 20) + 4096, 8192 + 100, 0, 0), null, null,
                        Map.of("anon", 2048L, "file", 4096L, "pgfault", 33L, "usage", 1L, "no_such_key", 5L)),
                new Stats.Pids(3, 100),
                new Stats.Blkio(List.of(new Stats.BlkioEntry(8, 0, "Read", 512), new Stats.BlkioEntry(8, 0, "Write", 1024)),
                        List.of(new Stats.BlkioEntry(8, 0, "Read", 2), new Stats.BlkioEntry(8, 0, "Write", 3))),
                Map.of("2MB", new Stats.Hugetlb(4, 0, 1)), null);
        Any any = io.jsyd.shim.task.Metrics.of(s, true, null);
        assertEquals("io.containerd.cgroups.v2.Metrics", any.getTypeUrl());
        io.jsyd.shim.proto.cgroups.v2.Metrics m = io.jsyd.shim.proto.cgroups.v2.Metrics.parseFrom(any.getValue());
        assertEquals(3, m.getPids().getCurrent());
        assertEquals(100, m.getPids().getLimit());
        assertEquals(9000, m.getCpu().getUsageUsec());
        assertEquals(6000, m.getCpu().getUserUsec());
        assertEquals(3000, m.getCpu().getSystemUsec());
        assertEquals(55, m.getCpu().getThrottledUsec());
        assertEquals(2, m.getCpu().getNrThrottled());
        io.jsyd.shim.proto.cgroups.v2.MemoryStat mem = m.getMemory();
        assertEquals(2048, mem.getAnon());
        assertEquals(4096, mem.getFile());
        assertEquals(33, mem.getPgfault());
        // memory.stat's own keys never overwrite the usage fields
        assertEquals(8192, mem.getUsage());
        assertEquals(1 << 20, mem.getUsageLimit());
        assertEquals(9000, mem.getMaxUsage());
        // swap alone, not the memory+swap the manager reports
        assertEquals(100, mem.getSwapUsage());
        assertEquals(4096, mem.getSwapLimit());
        assertEquals(1, m.getIo().getUsageCount());
        assertEquals(512, m.getIo().getUsage(0).getRbytes());
        assertEquals(1024, m.getIo().getUsage(0).getWbytes());
        assertEquals(3, m.getIo().getUsage(0).getWios());
        assertEquals(4, m.getHugetlb(0).getCurrent());
        assertEquals("2MB", m.getHugetlb(0).getPagesize());
    }

    @Test
    void aHostWithV1ControllersGetsV1() throws Exception {
        Stats s = new Stats(null, null, new Stats.Pids(1, 0), null, Map.of(), null);
        Any any = io.jsyd.shim.task.Metrics.of(s, false, Map.of("oom_kill_disable", 0L, "under_oom", 0L, "oom_kill", 2L));
        assertEquals("io.containerd.cgroups.v1.Metrics", any.getTypeUrl());
        assertEquals(2, Metrics.parseFrom(any.getValue()).getMemoryOomControl().getOomKill());
    }
}
