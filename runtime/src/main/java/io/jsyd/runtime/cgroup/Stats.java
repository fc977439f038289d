package io.jsyd.runtime.cgroup;

import java.util.List;
import java.util.Map;

/**
 * A cgroup's usage counters, with the content of runc's `events --stats` (its
 * types.Stats). Unsigned 64-bit counters are held in longs: read them with
 * Long.toUnsignedString (a "max" limit is 2^64-1, as runc reports it).
 */
public record Stats(Cpu cpu, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb, Cpuset cpuset) {
    public Stats {
        hugetlb = Map.copyOf(hugetlb);
    }

    /** Nanoseconds; throttled time too. */
    public record Cpu(long total, List<Long> percpu, List<Long> percpuKernel, List<Long> percpuUser, long kernel,
                      long user, long periods, long throttledPeriods, long throttledTime) {
        public Cpu {
            percpu = List.copyOf(percpu);
            percpuKernel = List.copyOf(percpuKernel);
            percpuUser = List.copyOf(percpuUser);
        }
    }

    public record MemoryEntry(long limit, long usage, long max, long failcnt) {
        public static final MemoryEntry NONE = new MemoryEntry(0, 0, 0, 0);
    }

    /** @param raw memory.stat as it is */
    public record Memory(long cache, MemoryEntry usage, MemoryEntry swap, MemoryEntry kernel, MemoryEntry kernelTcp,
                         Map<String, Long> raw) {
        public Memory {
            raw = Map.copyOf(raw);
        }
    }

    /** @param limit 0 when unlimited */
    public record Pids(long current, long limit) {
    }

    public record BlkioEntry(long major, long minor, String op, long value) {
    }

    public record Blkio(List<BlkioEntry> ioServiceBytesRecursive, List<BlkioEntry> ioServicedRecursive) {
        public Blkio {
            ioServiceBytesRecursive = List.copyOf(ioServiceBytesRecursive);
            ioServicedRecursive = List.copyOf(ioServicedRecursive);
        }
    }

    public record Hugetlb(long usage, long max, long failcnt) {
    }

    /**
     * @param flags v1's cpuset.* switches and levels by runc's JSON name (cpu_exclusive,
     *              sched_load_balance, ...); empty where the host has no such files
     */
    public record Cpuset(List<Integer> cpus, List<Integer> mems, Map<String, Long> flags) {
        public static final List<String> FLAGS = List.of("cpu_exclusive", "mem_hardwall", "mem_exclusive",
                "memory_migrate", "memory_spread_page", "memory_spread_slab", "memory_pressure", "sched_load_balance",
                "sched_relax_domain_level");

        public Cpuset {
            cpus = List.copyOf(cpus);
            mems = List.copyOf(mems);
            flags = Map.copyOf(flags);
        }
    }
}
