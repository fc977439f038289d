package io.jsyd.runtime.cgroup;

import static io.jsyd.runtime.cgroup.Conversions.zero;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.linux.Errno;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes {@link Resources} into the cgroup v1 directories of one container, one
 * controller at a time in runc's order (fs: cpuset, devices, memory, cpu, pids,
 * blkio, hugetlb, net_cls, net_prio, rdma), with runc's fallbacks.
 */
final class V1Resources {
    private final CgroupFiles files;

    V1Resources(CgroupFiles files) {
        this.files = files;
    }

    /** The controllers the resources need, as v1 names them. */
    static Set<String> controllers(Resources r) {
        Set<String> c = new LinkedHashSet<>();
        Resources.Cpu cpu = r.cpu();
        if (cpu != null && (cpu.cpus() != null && !cpu.cpus().isEmpty() || cpu.mems() != null && !cpu.mems().isEmpty())) {
            c.add("cpuset");
        }
        if (r.devices() != null) {
            c.add("devices");
        }
        Resources.Memory m = r.memory();
        if (m != null && (zero(m.limit()) != 0 || zero(m.reservation()) != 0 || zero(m.swap()) != 0
                || Boolean.TRUE.equals(m.disableOomKiller()) || m.swappiness() != null && m.swappiness() != -1)) {
            c.add("memory");
        }
        if (cpu != null && (zero(cpu.shares()) != 0 || zero(cpu.quota()) != 0 || zero(cpu.period()) != 0
                || cpu.burst() != null || cpu.idle() != null || zero(cpu.realtimeRuntime()) != 0
                || zero(cpu.realtimePeriod()) != 0)) {
            c.add("cpu");
        }
        if (r.pidsLimit() != null) {
            c.add("pids");
        }
        Resources.BlockIo io = r.blockIo();
        if (io != null && (zero(io.weight()) != 0 || zero(io.leafWeight()) != 0 || !io.weightDevices().isEmpty()
                || !io.readBps().isEmpty() || !io.writeBps().isEmpty() || !io.readIops().isEmpty()
                || !io.writeIops().isEmpty())) {
            c.add("blkio");
        }
        if (!r.hugepageLimits().isEmpty()) {
            c.add("hugetlb");
        }
        if (r.network() != null && zero(r.network().classId()) != 0) {
            c.add("net_cls");
        }
        if (r.network() != null && !r.network().priorities().isEmpty()) {
            c.add("net_prio");
        }
        if (!r.rdma().isEmpty()) {
            c.add("rdma");
        }
        return c;
    }

    /**
     * @param dirs the container's directory per controller; hugetlb is handled by the
     *             caller when only the v2 hierarchy has it
     */
    void apply(Function<String, Path> dirs, Resources r) {
        if (!r.unified().isEmpty()) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "unified: the unified keys are cgroup v2 files,"
                    + " and this host's controllers are cgroup v1");
        }
        Resources.Cpu cpu = r.cpu();
        Set<String> needed = controllers(r);
        if (needed.contains("cpuset")) {
            cpuset(dirs.apply("cpuset"), cpu);
        }
        if (r.devices() != null && dirs.apply("devices") != null) {
            devices(dirs.apply("devices"), r.devices());
        }
        if (needed.contains("memory")) {
            memory(dirs.apply("memory"), r.memory());
        }
        if (needed.contains("cpu")) {
            cpu(dirs.apply("cpu"), cpu);
        }
        if (r.pidsLimit() != null) {
            files.write(dirs.apply("pids"), "pids.max", V2Resources.pidsMax(r.pidsLimit()), "pids.limit");
        }
        if (needed.contains("blkio")) {
            blkio(dirs.apply("blkio"), r.blockIo());
        }
        if (needed.contains("hugetlb") && dirs.apply("hugetlb") != null) {
            hugetlb(dirs.apply("hugetlb"), r.hugepageLimits());
        }
        if (needed.contains("net_cls")) {
            files.write(dirs.apply("net_cls"), "net_cls.classid", Long.toString(r.network().classId()), "network.classID");
        }
        if (needed.contains("net_prio")) {
            for (int i = 0; i < r.network().priorities().size(); i++) {
                Resources.InterfacePriority p = r.network().priorities().get(i);
                files.write(dirs.apply("net_prio"), "net_prio.ifpriomap", p.name() + " " + p.priority(),
                        "network.priorities[" + i + "]");
            }
        }
        if (needed.contains("rdma")) {
            V2Resources.rdma(files, dirs.apply("rdma"), r);
        }
    }

    /** Older kernels name the files without the cpuset. prefix (the noprefix mount option). */
    private String cpusetFile(Path dir, String name) {
        return files.exists(dir, "cpuset." + name) || !files.exists(dir, name) ? "cpuset." + name : name;
    }

    private void cpuset(Path dir, Resources.Cpu cpu) {
        if (cpu.cpus() != null && !cpu.cpus().isEmpty()) {
            files.write(dir, cpusetFile(dir, "cpus"), cpu.cpus(), "cpu.cpus");
        }
        if (cpu.mems() != null && !cpu.mems().isEmpty()) {
            files.write(dir, cpusetFile(dir, "mems"), cpu.mems(), "cpu.mems");
        }
    }

    /**
     * A new v1 cpuset starts with no cpus and no mems, and a cgroup in that state
     * takes no process: copy them down from the parent, level by level.
     */
    void cpusetInherit(Path dir, Path parent) {
        for (String name : List.of("cpus", "mems")) {
            String file = cpusetFile(dir, name);
            if (files.read(dir, file).isBlank()) {
                files.write(dir, file, files.read(parent, cpusetFile(parent, name)).strip(), "");
            }
        }
    }

    private void devices(Path dir, List<DeviceRule> rules) {
        DeviceRuleSet target = DeviceRuleSet.of(rules);
        DeviceRuleSet current = DeviceRuleSet.fromList(files.read(dir, "devices.list"));
        for (DeviceRule rule : current.transition(target)) {
            files.write(dir, rule.allow() ? "devices.allow" : "devices.deny", rule.cgroupLine(), "devices");
        }
    }

    private void memory(Path dir, Resources.Memory m) {
        long limit = zero(m.limit());
        long swap = zero(m.swap());
        if (limit == -1 && swap == 0 && files.exists(dir, "memory.memsw.limit_in_bytes")) {
            swap = -1; // an unlimited memory means unlimited memory+swap too
        }
        boolean swapFirst = false;
        if (limit != 0 && swap != 0) {
            // the kernel wants memory <= memory+swap at every step: raise swap first when growing
            long current = CgroupFiles.parseUnsigned(files.read(dir, "memory.limit_in_bytes").strip());
            swapFirst = swap == -1 || Long.compareUnsigned(current, swap) < 0;
        }
        if (swapFirst) {
            setSwap(dir, swap);
            setLimit(dir, limit);
        } else {
            setLimit(dir, limit);
            setSwap(dir, swap);
        }
        if (zero(m.reservation()) != 0) {
            files.write(dir, "memory.soft_limit_in_bytes", Long.toString(m.reservation()), "memory.reservation");
        }
        if (Boolean.TRUE.equals(m.disableOomKiller())) {
            files.write(dir, "memory.oom_control", "1", "memory.disableOOMKiller");
        }
        if (m.swappiness() != null && m.swappiness() != -1) {
            if (m.swappiness() < 0 || m.swappiness() > 100) {
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.swappiness: " + m.swappiness()
                        + " is outside 0..100");
            }
            files.write(dir, "memory.swappiness", Long.toString(m.swappiness()), "memory.swappiness");
        }
    }

    private void setLimit(Path dir, long limit) {
        if (limit == 0) {
            return;
        }
        if (files.tryWrite(dir, "memory.limit_in_bytes", Long.toString(limit), "memory.limit", Errno.EBUSY) != null) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.limit: cannot set " + limit
                    + ": the cgroup uses more (current usage " + files.number(dir, "memory.usage_in_bytes")
                    + ", peak " + files.number(dir, "memory.max_usage_in_bytes") + ")");
        }
    }

    private void setSwap(Path dir, long swap) {
        if (swap != 0) {
            if (!files.exists(dir, "memory.memsw.limit_in_bytes")) {
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.swap: this kernel does not account"
                        + " swap (no memory.memsw.limit_in_bytes; boot with swapaccount=1)");
            }
            files.write(dir, "memory.memsw.limit_in_bytes", Long.toString(swap), "memory.swap");
        }
    }

    private void cpu(Path dir, Resources.Cpu cpu) {
        if (zero(cpu.shares()) != 0) {
            files.write(dir, "cpu.shares", Long.toString(cpu.shares()), "cpu.shares");
            long read = CgroupFiles.parseUnsigned(files.read(dir, "cpu.shares").strip());
            if (read != cpu.shares()) {
                // the kernel clamps instead of refusing
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + "cpu.shares: " + cpu.shares() + " is out of range;"
                        + " the kernel's " + (cpu.shares() > read ? "maximum" : "minimum") + " is " + read);
            }
        }
        long quota = zero(cpu.quota());
        // a period or burst that does not fit the current quota is refused until the quota changes
        String period = null;
        if (zero(cpu.period()) != 0 && files.tryWrite(dir, "cpu.cfs_period_us", Long.toString(cpu.period()),
                "cpu.period", quota != 0 ? new Errno[] {Errno.EINVAL} : new Errno[0]) != null) {
            period = Long.toString(cpu.period());
        }
        String burst = null;
        if (cpu.burst() != null) {
            Errno e = files.tryWrite(dir, "cpu.cfs_burst_us", Long.toString(cpu.burst()), "cpu.burst",
                    quota != 0 ? new Errno[] {Errno.EINVAL} : new Errno[0]);
            if (e != null) {
                burst = Long.toString(cpu.burst());
            }
        }
        if (quota != 0) {
            files.write(dir, "cpu.cfs_quota_us", Long.toString(quota), "cpu.quota");
            if (period != null) {
                files.write(dir, "cpu.cfs_period_us", period, "cpu.period");
            }
            if (burst != null) {
                files.write(dir, "cpu.cfs_burst_us", burst, "cpu.burst");
            }
        }
        if (cpu.idle() != null) {
            files.write(dir, "cpu.idle", Long.toString(cpu.idle()), "cpu.idle");
        }
        realtime(dir, cpu);
    }

    /** Before the init joins: a process with a realtime policy cannot join a group with no realtime budget. */
    void realtime(Path dir, Resources.Cpu cpu) {
        String period = null;
        if (zero(cpu.realtimePeriod()) != 0 && files.tryWrite(dir, "cpu.rt_period_us",
                Long.toString(cpu.realtimePeriod()), "cpu.realtimePeriod",
                zero(cpu.realtimeRuntime()) != 0 ? new Errno[] {Errno.EINVAL} : new Errno[0]) != null) {
            period = Long.toString(cpu.realtimePeriod());
        }
        if (zero(cpu.realtimeRuntime()) != 0) {
            files.write(dir, "cpu.rt_runtime_us", Long.toString(cpu.realtimeRuntime()), "cpu.realtimeRuntime");
            if (period != null) {
                files.write(dir, "cpu.rt_period_us", period, "cpu.realtimePeriod");
            }
        }
    }

    private void blkio(Path dir, Resources.BlockIo io) {
        // CFQ's files, else BFQ's (kernels without CFQ)
        boolean cfq = files.exists(dir, "blkio.weight");
        String weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
        String weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
        if (zero(io.weight()) != 0) {
            files.write(dir, weightFile, Integer.toString(io.weight()), "blockIO.weight");
        }
        if (zero(io.leafWeight()) != 0) {
            files.write(dir, "blkio.leaf_weight", Integer.toString(io.leafWeight()), "blockIO.leafWeight");
        }
        for (int i = 0; i < io.weightDevices().size(); i++) {
            Resources.WeightDevice d = io.weightDevices().get(i);
            String field = "blockIO.weightDevice[" + i + "]";
            if (zero(d.weight()) != 0) {
                files.write(dir, weightDeviceFile, d.major() + ":" + d.minor() + " " + d.weight(), field);
            }
            if (zero(d.leafWeight()) != 0) {
                files.write(dir, "blkio.leaf_weight_device", d.major() + ":" + d.minor() + " " + d.leafWeight(), field);
            }
        }
        throttle(dir, "blkio.throttle.read_bps_device", io.readBps(), "blockIO.throttleReadBpsDevice");
        throttle(dir, "blkio.throttle.write_bps_device", io.writeBps(), "blockIO.throttleWriteBpsDevice");
        throttle(dir, "blkio.throttle.read_iops_device", io.readIops(), "blockIO.throttleReadIOPSDevice");
        throttle(dir, "blkio.throttle.write_iops_device", io.writeIops(), "blockIO.throttleWriteIOPSDevice");
    }

    private void throttle(Path dir, String file, List<Resources.ThrottleDevice> devices, String field) {
        for (int i = 0; i < devices.size(); i++) {
            Resources.ThrottleDevice d = devices.get(i);
            files.write(dir, file, d.major() + ":" + d.minor() + " " + d.rate(), field + "[" + i + "]");
        }
    }

    private void hugetlb(Path dir, List<Resources.HugepageLimit> limits) {
        boolean rsvd = true;
        for (int i = 0; i < limits.size(); i++) {
            Resources.HugepageLimit h = limits.get(i);
            String prefix = "hugetlb." + h.pageSize();
            String value = Long.toUnsignedString(h.limit());
            String field = "hugepageLimits[" + i + "] (" + h.pageSize() + ")";
            files.write(dir, prefix + ".limit_in_bytes", value, field);
            if (rsvd && files.tryWrite(dir, prefix + ".rsvd.limit_in_bytes", value, field, Errno.ENOENT) != null) {
                rsvd = false;
            }
        }
    }

}
