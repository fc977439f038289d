package io.jsyd.runtime.cgroup;

import static io.jsyd.runtime.cgroup.Conversions.zero;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.linux.Errno;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@link Resources} into one cgroup v2 directory, in runc's order and with
 * runc's conversions (fs2). Fields v2 has no file for are refused before anything
 * is written ({@link #unsupported}), never dropped silently.
 */
final class V2Resources {
    private final CgroupFiles files;

    V2Resources(CgroupFiles files) {
        this.files = files;
    }

    /** The controllers the resources need enabled (as cgroup.controllers names them). */
    static Set<String> controllers(Resources r) {
        Set<String> c = new LinkedHashSet<>();
        if (r.pidsLimit() != null) {
            c.add("pids");
        }
        if (memorySet(r.memory())) {
            c.add("memory");
        }
        if (ioSet(r.blockIo())) {
            c.add("io");
        }
        Resources.Cpu cpu = r.cpu();
        if (cpu != null && (zero(cpu.shares()) != 0 || zero(cpu.quota()) != 0 || zero(cpu.period()) != 0
                || cpu.idle() != null || cpu.burst() != null)) {
            c.add("cpu");
        }
        if (cpu != null && (nonEmpty(cpu.cpus()) || nonEmpty(cpu.mems()))) {
            c.add("cpuset");
        }
        if (!r.hugepageLimits().isEmpty()) {
            c.add("hugetlb");
        }
        if (!r.rdma().isEmpty()) {
            c.add("rdma");
        }
        return c;
    }

    /** Fields that only cgroup v1 has: an error naming the first, or null. */
    static String unsupported(Resources r) {
        Resources.Memory m = r.memory();
        if (m != null && m.swappiness() != null && m.swappiness() != -1) {
            return "memory.swappiness: cgroup v2 has no per-cgroup swappiness";
        }
        if (m != null && Boolean.TRUE.equals(m.disableOomKiller())) {
            return "memory.disableOOMKiller: cgroup v2 cannot turn the OOM killer off";
        }
        Resources.Cpu cpu = r.cpu();
        if (cpu != null && (zero(cpu.realtimeRuntime()) != 0 || zero(cpu.realtimePeriod()) != 0)) {
            return "cpu.realtimeRuntime: cgroup v2 has no realtime CPU bandwidth controls";
        }
        Resources.BlockIo io = r.blockIo();
        if (io != null && zero(io.leafWeight()) != 0) {
            return "blockIO.leafWeight: cgroup v2 has no leaf weights";
        }
        if (io != null && io.weightDevices().stream().anyMatch(d -> zero(d.leafWeight()) != 0)) {
            return "blockIO.weightDevice[].leafWeight: cgroup v2 has no leaf weights";
        }
        Resources.Network n = r.network();
        if (n != null && (zero(n.classId()) != 0 || !n.priorities().isEmpty())) {
            return "network: net_cls and net_prio exist only in cgroup v1";
        }
        for (String key : r.unified().keySet()) {
            if (key.contains("/")) {
                return "unified: \"" + key + "\" must be a file name, without /";
            }
        }
        return null;
    }

    void apply(Path dir, Resources r, Set<String> available) {
        String bad = unsupported(r);
        if (bad != null) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + bad);
        }
        pids(dir, r.pidsLimit());
        memory(dir, r.memory());
        io(dir, r.blockIo());
        cpu(dir, r.cpu());
        if (r.devices() != null) {
            devices(dir, r);
        }
        cpuset(dir, r.cpu());
        hugetlb(files, dir, r);
        rdma(files, dir, r);
        unified(dir, r.unified(), available);
    }

    static boolean memorySet(Resources.Memory m) {
        return m != null && (zero(m.limit()) != 0 || zero(m.reservation()) != 0 || zero(m.swap()) != 0);
    }

    private static boolean ioSet(Resources.BlockIo io) {
        return io != null && (zero(io.weight()) != 0 || !io.weightDevices().isEmpty() || !io.readBps().isEmpty()
                || !io.writeBps().isEmpty() || !io.readIops().isEmpty() || !io.writeIops().isEmpty());
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    /** runc maps 0 to 1, as systemd's TasksMax must, so both drivers agree. */
    static String pidsMax(long limit) {
        return limit > 0 ? Long.toString(limit) : limit == 0 ? "1" : "max";
    }

    private void pids(Path dir, Long limit) {
        if (limit != null) {
            files.write(dir, "pids.max", pidsMax(limit), "pids.limit");
        }
    }

    private void memory(Path dir, Resources.Memory m) {
        if (!memorySet(m)) {
            return;
        }
        long limit = zero(m.limit());
        long swap = zero(m.swap());
        if (m.checkBeforeUpdate()) {
            checkUsage(dir, limit, swap);
        }
        long swapV2 = Conversions.swapV2(swap, limit);
        String swapValue = Conversions.v2Limit(swapV2);
        if (swapValue == null && swapV2 == 0 && swap > 0) {
            swapValue = "0"; // memory and memory+swap equal: no swap at all
        }
        if (swapValue != null) {
            // without swap accounting the file is missing; "max" and "0" then hold anyway
            if (swapValue.equals("max") || swapValue.equals("0")) {
                files.tryWrite(dir, "memory.swap.max", swapValue, "memory.swap", Errno.ENOENT);
            } else {
                files.write(dir, "memory.swap.max", swapValue, "memory.swap");
            }
        }
        String max = Conversions.v2Limit(limit);
        if (max != null) {
            files.write(dir, "memory.max", max, "memory.limit");
        }
        String low = Conversions.v2Limit(zero(m.reservation()));
        if (low != null) {
            files.write(dir, "memory.low", low, "memory.reservation");
        }
    }

    private void checkUsage(Path dir, long limit, long swap) {
        String s = files.readIfExists(dir, "memory.current");
        if (s == null) {
            return;
        }
        long usage = CgroupFiles.parseUnsigned(s.strip());
        if (swap > 0 && Long.compareUnsigned(swap, usage) <= 0) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.swap: " + swap
                    + " is not above the current usage " + usage + " (memory.checkBeforeUpdate)");
        }
        if (limit > 0 && Long.compareUnsigned(limit, usage) <= 0) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "memory.limit: " + limit
                    + " is not above the current usage " + usage + " (memory.checkBeforeUpdate)");
        }
    }

    private void io(Path dir, Resources.BlockIo io) {
        if (!ioSet(io)) {
            return;
        }
        boolean bfq = (zero(io.weight()) != 0 || !io.weightDevices().isEmpty()) && files.exists(dir, "io.bfq.weight");
        // io.bfq.weight reads "default N" (plus "MAJ:MIN N" lines) when it takes per-device weights
        boolean perDevice = bfq && !files.read(dir, "io.bfq.weight").strip().matches("\\d+");
        if (zero(io.weight()) != 0) {
            if (bfq) {
                // BFQ takes the v1 range [1, 1000] as it is
                files.write(dir, "io.bfq.weight", Integer.toString(io.weight()), "blockIO.weight");
            } else {
                files.write(dir, "io.weight", Long.toString(Conversions.ioWeight(io.weight())), "blockIO.weight");
            }
        }
        if (!io.weightDevices().isEmpty()) {
            if (!perDevice) {
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + "blockIO.weightDevice: per-device weights need"
                        + " the BFQ I/O scheduler (io.bfq.weight), which " + dir + " does not offer");
            }
            for (Resources.WeightDevice d : io.weightDevices()) {
                if (zero(d.weight()) != 0) {
                    files.write(dir, "io.bfq.weight", d.major() + ":" + d.minor() + " " + d.weight() + "\n",
                            "blockIO.weightDevice");
                }
            }
        }
        throttle(dir, io.readBps(), "rbps", "blockIO.throttleReadBpsDevice");
        throttle(dir, io.writeBps(), "wbps", "blockIO.throttleWriteBpsDevice");
        throttle(dir, io.readIops(), "riops", "blockIO.throttleReadIOPSDevice");
        throttle(dir, io.writeIops(), "wiops", "blockIO.throttleWriteIOPSDevice");
    }

    private void throttle(Path dir, java.util.List<Resources.ThrottleDevice> devices, String key, String field) {
        for (Resources.ThrottleDevice d : devices) {
            files.write(dir, "io.max", d.major() + ":" + d.minor() + " " + key + "=" + d.rate(), field);
        }
    }

    private void cpu(Path dir, Resources.Cpu cpu) {
        if (cpu == null) {
            return;
        }
        if (cpu.idle() != null) {
            files.write(dir, "cpu.idle", Long.toString(cpu.idle()), "cpu.idle");
        }
        if (zero(cpu.shares()) != 0) {
            files.write(dir, "cpu.weight", Long.toString(Conversions.cpuWeight(cpu.shares())), "cpu.shares");
        }
        long quota = zero(cpu.quota());
        long period = zero(cpu.period());
        String burst = null;
        if (cpu.burst() != null) {
            // a burst above the current quota is refused until the new quota is in
            Errno e = files.tryWrite(dir, "cpu.max.burst", Long.toString(cpu.burst()), "cpu.burst",
                    quota != 0 ? new Errno[] {Errno.EINVAL} : new Errno[0]);
            if (e != null) {
                burst = Long.toString(cpu.burst());
            }
        }
        if (quota != 0 || period != 0) {
            String max = (quota > 0 ? Long.toString(quota) : "max") + " " + (period != 0 ? period : 100000);
            files.write(dir, "cpu.max", max, quota != 0 ? "cpu.quota" : "cpu.period");
            if (burst != null) {
                files.write(dir, "cpu.max.burst", burst, "cpu.burst");
            }
        }
    }

    private void cpuset(Path dir, Resources.Cpu cpu) {
        if (cpu == null) {
            return;
        }
        if (nonEmpty(cpu.cpus())) {
            files.write(dir, "cpuset.cpus", cpu.cpus(), "cpu.cpus");
        }
        if (nonEmpty(cpu.mems())) {
            files.write(dir, "cpuset.mems", cpu.mems(), "cpu.mems");
        }
    }

    /** Shared with the hybrid layout, where hugetlb may live only in the v2 hierarchy. */
    static void hugetlb(CgroupFiles files, Path dir, Resources r) {
        boolean rsvd = true;
        for (int i = 0; i < r.hugepageLimits().size(); i++) {
            Resources.HugepageLimit h = r.hugepageLimits().get(i);
            String prefix = "hugetlb." + h.pageSize();
            String value = Long.toUnsignedString(h.limit());
            String field = "hugepageLimits[" + i + "] (" + h.pageSize() + ")";
            files.write(dir, prefix + ".max", value, field);
            // reservations are limited too where the kernel can (5.7+), as the spec prefers
            if (rsvd && files.tryWrite(dir, prefix + ".rsvd.max", value, field, Errno.ENOENT) != null) {
                rsvd = false;
            }
        }
    }

    static void rdma(CgroupFiles files, Path dir, Resources r) {
        for (Map.Entry<String, Resources.RdmaLimit> e : r.rdma().entrySet()) {
            StringBuilder line = new StringBuilder(e.getKey());
            if (e.getValue().hcaHandles() != null) {
                line.append(" hca_handle=").append(e.getValue().hcaHandles());
            }
            if (e.getValue().hcaObjects() != null) {
                line.append(" hca_object=").append(e.getValue().hcaObjects());
            }
            files.write(dir, "rdma.max", line.toString(), "rdma[" + e.getKey() + "]");
        }
    }

    private void devices(Path dir, Resources r) {
        DeviceProgram program = DeviceProgram.of(r.devices());
        try {
            files.fs().attachDeviceProgram(dir, program.instructions(), DeviceProgram.LICENSE);
        } catch (io.jsyd.runtime.SyscallException e) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "devices: attaching the device eBPF program to "
                    + dir + ": " + e.getMessage(), e);
        }
    }

    /** Each line of a value is its own write, as io.max and similar files want. */
    private void unified(Path dir, Map<String, String> unified, Set<String> available) {
        for (Map.Entry<String, String> e : unified.entrySet()) {
            String key = e.getKey();
            String field = "unified[" + key + "]";
            for (String line : e.getValue().split("\n")) {
                try {
                    files.fs().write(dir.resolve(key), line);
                } catch (io.jsyd.runtime.SyscallException x) {
                    String controller = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
                    boolean missing = x.is(Errno.ENOENT) || x.is(Errno.EACCES) || x.is(Errno.EPERM);
                    if (missing && !controller.equals("cgroup") && !available.contains(controller)) {
                        throw new CgroupException(CgroupFiles.FIELD_PREFIX + field + ": the " + controller
                                + " controller is not available in " + dir, x);
                    }
                    throw new CgroupException(CgroupFiles.FIELD_PREFIX + field + ": write \"" + line + "\" to "
                            + dir.resolve(key) + ": " + Errno.describe(x.errno()), x);
                }
            }
        }
    }
}
