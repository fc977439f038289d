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
}
