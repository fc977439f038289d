package io.jsyd.shim.task;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import io.jsyd.runtime.cgroup.Stats;
import io.jsyd.shim.proto.cgroups.BlkIOEntry;
import io.jsyd.shim.proto.cgroups.BlkIOStat;
import io.jsyd.shim.proto.cgroups.CPUStat;
import io.jsyd.shim.proto.cgroups.CPUUsage;
import io.jsyd.shim.proto.cgroups.HugetlbStat;
import io.jsyd.shim.proto.cgroups.MemoryEntry;
import io.jsyd.shim.proto.cgroups.MemoryStat;
import io.jsyd.shim.proto.cgroups.PidsStat;
import io.jsyd.shim.proto.cgroups.Throttle;
import java.util.Map;

/**
 * The cgroup manager's counters as containerd's cgroups v1 Metrics, the Any a
 * Stats call answers with (ctr task metrics, CRI's container stats).
 */
final class Metrics {
    /** memory.stat's keys whose Metrics field is spelled differently (the rest match by name). */
    private static final Map<String, String> MEMORY_KEYS = Map.of("pgpgin", "pg_pg_in", "pgpgout", "pg_pg_out",
            "pgfault", "pg_fault", "pgmajfault", "pg_maj_fault", "hierarchical_memsw_limit", "hierarchical_swap_limit");

    private Metrics() {
    }

    static Any of(Stats s) {
        io.jsyd.shim.proto.cgroups.Metrics.Builder m = io.jsyd.shim.proto.cgroups.Metrics.newBuilder();
        if (s.pids() != null) {
            m.setPids(PidsStat.newBuilder().setCurrent(s.pids().current()).setLimit(s.pids().limit()));
        }
        if (s.cpu() != null) {
            Stats.Cpu c = s.cpu();
            m.setCpu(CPUStat.newBuilder().setUsage(CPUUsage.newBuilder().setTotal(c.total()).setKernel(c.kernel())
                            .setUser(c.user()).addAllPerCpu(c.percpu()))
                    .setThrottling(Throttle.newBuilder().setPeriods(c.periods())
                            .setThrottledPeriods(c.throttledPeriods()).setThrottledTime(c.throttledTime())));
        }
        if (s.memory() != null) {
            m.setMemory(memory(s.memory()));
        }
        if (s.blkio() != null) {
            BlkIOStat.Builder b = BlkIOStat.newBuilder();
            s.blkio().ioServiceBytesRecursive().forEach(e -> b.addIoServiceBytesRecursive(blkio(e)));
            s.blkio().ioServicedRecursive().forEach(e -> b.addIoServicedRecursive(blkio(e)));
            m.setBlkio(b);
        }
        s.hugetlb().forEach((size, h) -> m.addHugetlb(HugetlbStat.newBuilder().setPagesize(size).setUsage(h.usage())
                .setMax(h.max()).setFailcnt(h.failcnt())));
        io.jsyd.shim.proto.cgroups.Metrics metrics = m.build();
        // the type URL containerd's typeurl resolves: the message's full proto name
        return Any.newBuilder().setTypeUrl(metrics.getDescriptorForType().getFullName())
                .setValue(metrics.toByteString()).build();
    }

    static MemoryStat memory(Stats.Memory mem) {
        MemoryStat.Builder b = MemoryStat.newBuilder();
        Descriptors.Descriptor d = MemoryStat.getDescriptor();
        mem.raw().forEach((key, value) -> {
            boolean total = key.startsWith("total_");
            String bare = total ? key.substring("total_".length()) : key;
            String name = (total ? "total_" : "") + MEMORY_KEYS.getOrDefault(bare, bare);
            Descriptors.FieldDescriptor f = d.findFieldByName(name);
            if (f != null && f.getType() == Descriptors.FieldDescriptor.Type.UINT64) {
                b.setField(f, value);
            }
        });
        b.setUsage(entry(mem.usage())).setSwap(entry(mem.swap())).setKernel(entry(mem.kernel()))
                .setKernelTcp(entry(mem.kernelTcp()));
        return b.build();
    }

    private static MemoryEntry entry(Stats.MemoryEntry e) {
        Stats.MemoryEntry x = e == null ? Stats.MemoryEntry.NONE : e;
        return MemoryEntry.newBuilder().setLimit(x.limit()).setUsage(x.usage()).setMax(x.max())
                .setFailcnt(x.failcnt()).build();
    }

    private static BlkIOEntry blkio(Stats.BlkioEntry e) {
        return BlkIOEntry.newBuilder().setMajor(e.major()).setMinor(e.minor()).setOp(e.op()).setValue(e.value())
                .build();
    }
}
