package io.jsyd.runtime.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stats from cgroup v2 files, mapped as runc's fs2 maps them. */
final class V2Stats {
    private final CgroupFiles files;
    private final List<String> hugePageSizes;

    V2Stats(CgroupFiles files, List<String> hugePageSizes) {
        this.files = files;
        this.hugePageSizes = hugePageSizes;
    }

    Stats stats(Path dir) {
        return new Stats(cpu(dir), memory(dir), pids(dir), io(dir), hugetlb(files, dir, hugePageSizes),
                new Stats.Cpuset(List.of(), List.of(), Map.of()));
    }

    private Stats.Cpu cpu(Path dir) {
        Map<String, Long> s = files.keyValues(dir, "cpu.stat");
        return new Stats.Cpu(s.getOrDefault("usage_usec", 0L) * 1000, List.of(), List.of(), List.of(),
                s.getOrDefault("system_usec", 0L) * 1000, s.getOrDefault("user_usec", 0L) * 1000,
                s.getOrDefault("nr_periods", 0L), s.getOrDefault("nr_throttled", 0L),
                s.getOrDefault("throttled_usec", 0L) * 1000);
    }

    private Stats.Memory memory(Path dir) {
        Map<String, Long> raw = files.keyValues(dir, "memory.stat");
        if (!files.exists(dir, "memory.current")) {
            return new Stats.Memory(raw.getOrDefault("file", 0L), Stats.MemoryEntry.NONE, Stats.MemoryEntry.NONE,
                    Stats.MemoryEntry.NONE, Stats.MemoryEntry.NONE, raw);
        }
        Stats.MemoryEntry usage = new Stats.MemoryEntry(files.number(dir, "memory.max"),
                files.number(dir, "memory.current"), files.number(dir, "memory.peak"), 0);
        // runc reports swap as memory+swap, like v1's memsw
        long swapUsage = files.number(dir, "memory.swap.current") + usage.usage();
        long swapLimit = files.number(dir, "memory.swap.max");
        if (swapLimit != -1L && usage.limit() != -1L) {
            swapLimit += usage.limit();
        } else {
            swapLimit = -1L;
        }
        return new Stats.Memory(raw.getOrDefault("file", 0L), usage, new Stats.MemoryEntry(swapLimit, swapUsage, 0, 0),
                Stats.MemoryEntry.NONE, Stats.MemoryEntry.NONE, raw);
    }

    private Stats.Pids pids(Path dir) {
        if (!files.exists(dir, "pids.current")) {
            return new Stats.Pids(files.procs(dir).size(), 0);
        }
        long max = files.number(dir, "pids.max");
        return new Stats.Pids(files.number(dir, "pids.current"), max == -1L ? 0 : max);
    }

    private Stats.Blkio io(Path dir) {
        List<Stats.BlkioEntry> bytes = new ArrayList<>();
        List<Stats.BlkioEntry> ios = new ArrayList<>();
        String s = files.readIfExists(dir, "io.stat");
        if (s != null) {
            for (String line : s.split("\n")) {
                String[] f = line.strip().split("\\s+");
                String[] dev = f[0].split(":");
                if (f.length < 2 || dev.length != 2) {
                    continue;
                }
                long major = Long.parseLong(dev[0]);
                long minor = Long.parseLong(dev[1]);
                for (int i = 1; i < f.length; i++) {
                    String[] kv = f[i].split("=");
                    if (kv.length != 2) {
                        continue;
                    }
                    long v = CgroupFiles.parseUnsigned(kv[1]);
                    switch (kv[0]) {
                        case "rbytes" -> bytes.add(new Stats.BlkioEntry(major, minor, "Read", v));
                        case "wbytes" -> bytes.add(new Stats.BlkioEntry(major, minor, "Write", v));
                        case "rios" -> ios.add(new Stats.BlkioEntry(major, minor, "Read", v));
                        case "wios" -> ios.add(new Stats.BlkioEntry(major, minor, "Write", v));
                        default -> {
                            // discard and cost.* counters: not in runc's JSON
                        }
                    }
                }
            }
        }
        return new Stats.Blkio(bytes, ios);
    }

    /** Usage counts reservations where the kernel has them (hugetlb.SIZE.rsvd.current). */
    static Map<String, Stats.Hugetlb> hugetlb(CgroupFiles files, Path dir, List<String> sizes) {
        Map<String, Stats.Hugetlb> m = new LinkedHashMap<>();
        for (String size : sizes) {
            String prefix = "hugetlb." + size;
            if (!files.exists(dir, prefix + ".current")) {
                continue;
            }
            long usage = files.exists(dir, prefix + ".rsvd.current") ? files.number(dir, prefix + ".rsvd.current")
                    : files.number(dir, prefix + ".current");
            m.put(size, new Stats.Hugetlb(usage, 0, files.keyValues(dir, prefix + ".events").getOrDefault("max", 0L)));
        }
        return m;
    }
}
