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
 * The cgroup manager's counters as containerd's cgroups Metrics, the Any a Stats
 * call answers with (ctr task metrics, CRI's container stats): the v1 message on
 * a host with v1 controllers (legacy or hybrid), the v2 one on a unified host, as
 * containerd-shim-runc-v2 chooses.
 */
final class Metrics {
    /** memory.stat's keys whose Metrics field is spelled differently (the rest match by name). */
    private static final Map<String, String> MEMORY_KEYS = Map.of("pgpgin", "pg_pg_in", "pgpgout", "pg_pg_out",
            "pgfault", "pg_fault", "pgmajfault", "pg_maj_fault", "hierarchical_memsw_limit", "hierarchical_swap_limit");

    private Metrics() {
    }

    /**
     * The message for this host: v2 when {@code unified}, else v1 with
     * {@code oomControl} (memory.oom_control's keys; null when there is none).
     */
    static Any of(Stats s, boolean unified, Map<String, Long> oomControl) {
        return unified ? v2(s) : of(s, oomControl);
    }

    /** The v1 Metrics. */
    static Any of(Stats s) {
        return of(s, null);
    }

    static Any of(Stats s, Map<String, Long> oomControl) {
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
        if (oomControl != null) {
            m.setMemoryOomControl(io.jsyd.shim.proto.cgroups.MemoryOomControl.newBuilder()
                    .setOomKillDisable(oomControl.getOrDefault("oom_kill_disable", 0L))
                    .setUnderOom(oomControl.getOrDefault("under_oom", 0L))
                    .setOomKill(oomControl.getOrDefault("oom_kill", 0L)));
        }
        io.jsyd.shim.proto.cgroups.Metrics metrics = m.build();
        // the type URL containerd's typeurl resolves: the message's full proto name
        return Any.newBuilder().setTypeUrl(metrics.getDescriptorForType().getFullName())
                .setValue(metrics.toByteString()).build();
    }

    /** A unified host's v2 Metrics: cpu.stat's microseconds, memory.stat by name, io.stat per device. */
    static Any v2(Stats s) {
        io.jsyd.shim.proto.cgroups.v2.Metrics.Builder m = io.jsyd.shim.proto.cgroups.v2.Metrics.newBuilder();
        if (s.pids() != null) {
            m.setPids(io.jsyd.shim.proto.cgroups.v2.PidsStat.newBuilder().setCurrent(s.pids().current())
                    .setLimit(s.pids().limit()));
        }
        if (s.cpu() != null) {
            // the manager holds nanoseconds (runc's JSON); the file and containerd have microseconds
            Stats.Cpu c = s.cpu();
            m.setCpu(io.jsyd.shim.proto.cgroups.v2.CPUStat.newBuilder().setUsageUsec(c.total() / 1000)
                    .setUserUsec(c.user() / 1000).setSystemUsec(c.kernel() / 1000).setNrPeriods(c.periods())
                    .setNrThrottled(c.throttledPeriods()).setThrottledUsec(c.throttledTime() / 1000));
        }
        if (s.memory() != null) {
            m.setMemory(memoryV2(s.memory()));
        }
        if (s.blkio() != null) {
            m.setIo(io(s.blkio()));
        }
        s.hugetlb().forEach((size, h) -> m.addHugetlb(io.jsyd.shim.proto.cgroups.v2.HugeTlbStat.newBuilder()
                .setPagesize(size).setCurrent(h.usage()).setMax(h.max())));
        io.jsyd.shim.proto.cgroups.v2.Metrics metrics = m.build();
        return Any.newBuilder().setTypeUrl(metrics.getDescriptorForType().getFullName())
                .setValue(metrics.toByteString()).build();
    }

    private static final long NO_LIMIT = -1L;

    static io.jsyd.shim.proto.cgroups.v2.MemoryStat memoryV2(Stats.Memory mem) {
        io.jsyd.shim.proto.cgroups.v2.MemoryStat.Builder b = io.jsyd.shim.proto.cgroups.v2.MemoryStat.newBuilder();
        Descriptors.Descriptor d = io.jsyd.shim.proto.cgroups.v2.MemoryStat.getDescriptor();
        mem.raw().forEach((key, value) -> {
            Descriptors.FieldDescriptor f = d.findFieldByName(key);
            // 32 and up are not memory.stat's: a key of that name there must not overwrite them
            if (f != null && f.getNumber() < io.jsyd.shim.proto.cgroups.v2.MemoryStat.USAGE_FIELD_NUMBER) {
                b.setField(f, value);
            }
        });
        Stats.MemoryEntry usage = mem.usage() == null ? Stats.MemoryEntry.NONE : mem.usage();
        Stats.MemoryEntry swap = mem.swap() == null ? Stats.MemoryEntry.NONE : mem.swap();
        // the manager reports swap as memory+swap (runc's v1-like JSON); containerd's v2 wants swap alone
        long swapUsage = Math.max(0, swap.usage() - usage.usage());
        long swapLimit = swap.limit() == NO_LIMIT || usage.limit() == NO_LIMIT ? swap.limit()
                : swap.limit() - usage.limit();
        return b.setUsage(usage.usage()).setUsageLimit(usage.limit()).setMaxUsage(usage.max())
                .setSwapUsage(swapUsage).setSwapLimit(swapLimit).build();
    }

    private static io.jsyd.shim.proto.cgroups.v2.IOStat io(Stats.Blkio blkio) {
        java.util.Map<String, io.jsyd.shim.proto.cgroups.v2.IOEntry.Builder> byDevice = new java.util.LinkedHashMap<>();
        java.util.function.Function<Stats.BlkioEntry, io.jsyd.shim.proto.cgroups.v2.IOEntry.Builder> device =
                e -> byDevice.computeIfAbsent(e.major() + ":" + e.minor(),
                        k -> io.jsyd.shim.proto.cgroups.v2.IOEntry.newBuilder().setMajor(e.major()).setMinor(e.minor()));
        for (Stats.BlkioEntry e : blkio.ioServiceBytesRecursive()) {
            switch (e.op()) {
                case "Read" -> device.apply(e).setRbytes(e.value());
                case "Write" -> device.apply(e).setWbytes(e.value());
                default -> {
                    // v1's Sync, Async, Total have no v2 field
                }
            }
        }
        for (Stats.BlkioEntry e : blkio.ioServicedRecursive()) {
            switch (e.op()) {
                case "Read" -> device.apply(e).setRios(e.value());
                case "Write" -> device.apply(e).setWios(e.value());
                default -> {
                }
            }
        }
        io.jsyd.shim.proto.cgroups.v2.IOStat.Builder b = io.jsyd.shim.proto.cgroups.v2.IOStat.newBuilder();
        byDevice.values().forEach(b::addUsage);
        return b.build();
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
