package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.cgroup.Stats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsJsonTest {
    @Test
    void theFieldsAndOmissionsOfRuncsEventsStats() {
        // as runc 1.1 prints them on this host: structs (usage, throttling, memory entries) stay when zero
        Stats s = new Stats(
                new Stats.Cpu(1500, List.of(700L, 800L), List.of(), List.of(), 500, 1000, 10, 0, 0),
                new Stats.Memory(0, new Stats.MemoryEntry(-1L, 300, 400, 0), Stats.MemoryEntry.NONE,
                        Stats.MemoryEntry.NONE, Stats.MemoryEntry.NONE, Map.of("anon", 100L)),
                new Stats.Pids(3, 0),
                new Stats.Blkio(List.of(new Stats.BlkioEntry(8, 0, "Read", 10)), List.of()),
                Map.of("2MB", new Stats.Hugetlb(0, 0, 0)),
                new Stats.Cpuset(List.of(0, 1), List.of(), Map.of("sched_load_balance", 1L, "sched_relax_domain_level", -1L)));
        String expected = """
                {"type":"stats","id":"c1","data":{\
                "cpu":{"usage":{"total":1500,"percpu":[700,800],"kernel":500,"user":1000},"throttling":{"periods":10}},\
                "cpuset":{"cpus":[0,1],"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,\
                "memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":1,\
                "sched_relax_domain_level":-1},\
                "memory":{"usage":{"limit":18446744073709551615,"usage":300,"max":400,"failcnt":0},\
                "swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0},\
                "raw":{"anon":100}},\
                "pids":{"current":3},\
                "blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":10}]},\
                "hugetlb":{"2MB":{"failcnt":0}},"intel_rdt":{},"network_interfaces":null}}""";
        assertEquals(expected, SpecJson.compact(StatsJson.event("c1", s)));
    }
}
