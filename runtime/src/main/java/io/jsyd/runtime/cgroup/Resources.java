package io.jsyd.runtime.cgroup;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The limits of one cgroup, in runc's units (cgroup v1 units: cpu shares, blkio
 * weights), converted per version by the manager. A null field is not set: on
 * create the kernel's default stays, on update the current value stays. As in
 * runc, 0 also means "not set" for the fields runc treats that way (memory,
 * shares, quota, period, realtime, weights, classID).
 *
 * @param devices the device rules in order, or null to leave the device rules alone (update)
 * @param unified cgroup v2 files and their content, written as given (v2 only)
 */
public record Resources(Memory memory, Cpu cpu, BlockIo blockIo, List<HugepageLimit> hugepageLimits,
                        Network network, Long pidsLimit, Map<String, RdmaLimit> rdma,
                        Map<String, String> unified, List<DeviceRule> devices) {
    public static final Resources NONE = new Resources(null, null, null, List.of(), null, null, Map.of(), Map.of(), null);

    public Resources {
        hugepageLimits = hugepageLimits == null ? List.of() : List.copyOf(hugepageLimits);
        rdma = rdma == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(rdma));
        unified = unified == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(unified));
        devices = devices == null ? null : List.copyOf(devices);
    }

    /**
     * @param swap        memory+swap limit (v1 meaning; v2 gets swap = this - limit)
     * @param swappiness  0..100, or null / -1 for the kernel's
     */
    public record Memory(Long limit, Long reservation, Long swap, Long swappiness, Boolean disableOomKiller,
                         boolean checkBeforeUpdate) {
    }

    /**
     * @param shares v1 cpu.shares; v2 gets cpu.weight by runc's conversion
     * @param idle   cpu.idle (0 or 1)
     */
    public record Cpu(Long shares, Long quota, Long period, Long burst, Long realtimeRuntime, Long realtimePeriod,
                      String cpus, String mems, Long idle) {
    }

    public record BlockIo(Integer weight, Integer leafWeight, List<WeightDevice> weightDevices,
                          List<ThrottleDevice> readBps, List<ThrottleDevice> writeBps,
                          List<ThrottleDevice> readIops, List<ThrottleDevice> writeIops) {
        public BlockIo {
            weightDevices = weightDevices == null ? List.of() : List.copyOf(weightDevices);
            readBps = readBps == null ? List.of() : List.copyOf(readBps);
            writeBps = writeBps == null ? List.of() : List.copyOf(writeBps);
            readIops = readIops == null ? List.of() : List.copyOf(readIops);
            writeIops = writeIops == null ? List.of() : List.copyOf(writeIops);
        }
    }

    public record WeightDevice(long major, long minor, Integer weight, Integer leafWeight) {
    }

    public record ThrottleDevice(long major, long minor, long rate) {
    }

    /** @param pageSize as the hugetlb files name it: "2MB", "1GB", "64KB" */
    public record HugepageLimit(String pageSize, long limit) {
    }

    public record Network(Long classId, List<InterfacePriority> priorities) {
        public Network {
            priorities = priorities == null ? List.of() : List.copyOf(priorities);
        }
    }

    public record InterfacePriority(String name, long priority) {
    }

    public record RdmaLimit(Long hcaHandles, Long hcaObjects) {
    }
}
