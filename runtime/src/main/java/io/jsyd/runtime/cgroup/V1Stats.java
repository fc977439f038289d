package io.jsyd.runtime.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Stats from cgroup v1 files, mapped as runc's fs manager maps them. */
final class V1Stats {
    /** USER_HZ: cpuacct.stat counts in these ticks. */
    private static final long CLOCK_TICKS = 100;
    private final CgroupFiles files;
    private final List<String> hugePageSizes;

    V1Stats(CgroupFiles files, List<String> hugePageSizes) {
        this.files = files;
        this.hugePageSizes = hugePageSizes;
    }

    /** @param unified the container's v2 directory on a hybrid host, or null */
    Stats stats(Function<String, Path> dirs, Path unified) {
        Map<String, Stats.Hugetlb> hugetlb;
        if (dirs.apply("hugetlb") != null) {
            hugetlb = hugetlb(dirs.apply("hugetlb"));
        } else if (unified != null) {
            hugetlb = V2Stats.hugetlb(files, unified, hugePageSizes);
        } else {
            hugetlb = Map.of();
        }
        return new Stats(cpu(dirs.apply("cpuacct"), dirs.apply("cpu")), memory(dirs.apply("memory")),
                pids(dirs.apply("pids")), blkio(dirs.apply("blkio")), hugetlb, cpuset(dirs.apply("cpuset")));
    }

    private Stats.Cpu cpu(Path acct, Path cpu) {
        long total = 0;
        long user = 0;
        long kernel = 0;
        List<Long> percpu = new ArrayList<>();
        List<Long> percpuUser = new ArrayList<>();
        List<Long> percpuKernel = new ArrayList<>();
        if (acct != null && files.exists(acct, "cpuacct.usage")) {
            total = files.number(acct, "cpuacct.usage");
            Map<String, Long> stat = files.keyValues(acct, "cpuacct.stat");
            user = stat.getOrDefault("user", 0L) * 1_000_000_000L / CLOCK_TICKS;
            kernel = stat.getOrDefault("system", 0L) * 1_000_000_000L / CLOCK_TICKS;
            String s = files.readIfExists(acct, "cpuacct.usage_percpu");
            if (s != null && !s.isBlank()) {
                for (String v : s.strip().split("\\s+")) {
                    percpu.add(CgroupFiles.parseUnsigned(v));
                }
            }
            String all = files.readIfExists(acct, "cpuacct.usage_all");
            if (all != null) {
                String[] lines = all.split("\n");
                for (int i = 1; i < lines.length; i++) {
                    String[] f = lines[i].strip().split("\\s+");
                    if (f.length >= 3) {
                        percpuUser.add(CgroupFiles.parseUnsigned(f[1]));
                        percpuKernel.add(CgroupFiles.parseUnsigned(f[2]));
                    }
                }
            }
        }
        Map<String, Long> throttle = cpu == null ? Map.of() : files.keyValues(cpu, "cpu.stat");
        return new Stats.Cpu(total, percpu, percpuKernel, percpuUser, kernel, user,
                throttle.getOrDefault("nr_periods", 0L), throttle.getOrDefault("nr_throttled", 0L),
                throttle.getOrDefault("throttled_time", 0L));
    }

    private Stats.Memory memory(Path dir) {
        if (dir == null) {
            return new Stats.Memory(0, Stats.MemoryEntry.NONE, Stats.MemoryEntry.NONE, Stats.MemoryEntry.NONE,
                    Stats.MemoryEntry.NONE, Map.of());
        }
        Map<String, Long> raw = files.keyValues(dir, "memory.stat");
        return new Stats.Memory(raw.getOrDefault("cache", 0L), entry(dir, "memory"), entry(dir, "memory.memsw"),
                entry(dir, "memory.kmem"), entry(dir, "memory.kmem.tcp"), raw);
    }

    private Stats.MemoryEntry entry(Path dir, String prefix) {
        if (!files.exists(dir, prefix + ".usage_in_bytes")) {
            return Stats.MemoryEntry.NONE;
        }
        return new Stats.MemoryEntry(files.number(dir, prefix + ".limit_in_bytes"),
                files.number(dir, prefix + ".usage_in_bytes"), files.number(dir, prefix + ".max_usage_in_bytes"),
                files.number(dir, prefix + ".failcnt"));
    }

    private Stats.Pids pids(Path dir) {
        if (dir == null) {
            return new Stats.Pids(0, 0);
        }
        long max = files.number(dir, "pids.max");
        return new Stats.Pids(files.number(dir, "pids.current"), max == -1L ? 0 : max);
    }

    /** CFQ's recursive counters where they exist, else the throttle layer's. */
    private Stats.Blkio blkio(Path dir) {
        if (dir == null) {
            return new Stats.Blkio(List.of(), List.of());
        }
        return new Stats.Blkio(entries(dir, "io_service_bytes"), entries(dir, "io_serviced"));
    }

    private List<Stats.BlkioEntry> entries(Path dir, String name) {
        for (String file : List.of("blkio." + name + "_recursive", "blkio.throttle." + name + "_recursive",
                "blkio.throttle." + name)) {
            String s = files.readIfExists(dir, file);
            if (s == null) {
                continue;
            }
            List<Stats.BlkioEntry> out = new ArrayList<>();
            for (String line : s.split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length == 3 && f[0].contains(":")) {
                    String[] dev = f[0].split(":");
                    out.add(new Stats.BlkioEntry(Long.parseLong(dev[0]), Long.parseLong(dev[1]), f[1],
                            CgroupFiles.parseUnsigned(f[2])));
                }
            }
            if (!out.isEmpty() || file.endsWith(name)) {
                return out;
            }
        }
        return List.of();
    }

    private Map<String, Stats.Hugetlb> hugetlb(Path dir) {
        Map<String, Stats.Hugetlb> m = new LinkedHashMap<>();
        for (String size : hugePageSizes) {
            String prefix = "hugetlb." + size;
            if (files.exists(dir, prefix + ".usage_in_bytes")) {
                m.put(size, new Stats.Hugetlb(files.number(dir, prefix + ".usage_in_bytes"),
                        files.number(dir, prefix + ".max_usage_in_bytes"), files.number(dir, prefix + ".failcnt")));
            }
        }
        return m;
    }

    private Stats.Cpuset cpuset(Path dir) {
        if (dir == null) {
            return new Stats.Cpuset(List.of(), List.of(), Map.of());
        }
        Map<String, Long> flags = new java.util.HashMap<>();
        for (String flag : Stats.Cpuset.FLAGS) {
            String s = files.readIfExists(dir, "cpuset." + flag);
            if (s != null) {
                // sched_relax_domain_level is -1 by default: signed
                flags.put(flag, Long.parseLong(s.strip()));
            }
        }
        return new Stats.Cpuset(ranges(files.readIfExists(dir, "cpuset.cpus")), ranges(files.readIfExists(dir, "cpuset.mems")),
                flags);
    }

    /** "0-3,8" -> [0, 1, 2, 3, 8]. */
    static List<Integer> ranges(String s) {
        List<Integer> out = new ArrayList<>();
        if (s == null || s.isBlank()) {
            return out;
        }
        for (String part : s.strip().split(",")) {
            String[] r = part.split("-");
            int from = Integer.parseInt(r[0]);
            int to = r.length == 2 ? Integer.parseInt(r[1]) : from;
            for (int i = from; i <= to; i++) {
                out.add(i);
            }
        }
        return out;
    }
}
