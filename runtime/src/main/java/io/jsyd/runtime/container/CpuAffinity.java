package io.jsyd.runtime.container;

import java.util.List;

/**
 * process.execCPUAffinity as sched_setaffinity(2) masks, 64 CPUs a word; an empty
 * list leaves the affinity as it is.
 *
 * @param initial the stub's affinity from its start (the runtime's part of setup)
 * @param last    the container process's affinity, set right before execve
 */
public record CpuAffinity(List<Long> initial, List<Long> last) {
    public CpuAffinity {
        initial = List.copyOf(initial);
        last = List.copyOf(last);
    }

    /** "0-3,7" as mask words; the text was checked by validation. */
    public static List<Long> parse(String cpuList) {
        if (cpuList == null || cpuList.isBlank()) {
            return List.of();
        }
        long[] words = new long[0];
        for (String part : cpuList.strip().split(",")) {
            String[] range = part.strip().split("-", 2);
            int from = Integer.parseInt(range[0].strip());
            int to = range.length == 2 ? Integer.parseInt(range[1].strip()) : from;
            for (int cpu = from; cpu <= to; cpu++) {
                if (cpu / 64 >= words.length) {
                    words = java.util.Arrays.copyOf(words, cpu / 64 + 1);
                }
                words[cpu / 64] |= 1L << (cpu % 64);
            }
        }
        return java.util.Arrays.stream(words).boxed().toList();
    }
}
