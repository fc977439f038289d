package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.LinuxBlockIO;
import io.jsyd.oci.spec.model.LinuxCPU;
import io.jsyd.oci.spec.model.LinuxMemory;
import io.jsyd.oci.spec.model.LinuxPids;
import io.jsyd.oci.spec.model.LinuxResources;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.Resources;
import io.jsyd.runtime.linux.FileLock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `update`: the fields runc 1.1 lets one change on a live container. As in runc, a
 * field left out or given as 0 (or "") keeps its value, and everything else a
 * resources document may hold (devices, hugepages, network, rdma...) is not touched.
 */
public final class Update {
    private Update() {
    }

    /**
     * What one `update` asks for; null (or 0, or "", as runc reads them) changes nothing.
     *
     * @param memorySwap memory+swap, runc's unit whatever the cgroup version
     */
    public record Change(Long memoryLimit, Long memoryReservation, Long memorySwap, Long cpuShares, Long cpuQuota,
                         Long cpuPeriod, Long cpuRealtimeRuntime, Long cpuRealtimePeriod, String cpus, String mems,
                         Long blkioWeight, Long pidsLimit, Map<String, String> unified) {
        public Change {
            memoryLimit = set(memoryLimit);
            memoryReservation = set(memoryReservation);
            memorySwap = set(memorySwap);
            cpuShares = set(cpuShares);
            cpuQuota = set(cpuQuota);
            cpuPeriod = set(cpuPeriod);
            cpuRealtimeRuntime = set(cpuRealtimeRuntime);
            cpuRealtimePeriod = set(cpuRealtimePeriod);
            cpus = cpus == null || cpus.isEmpty() ? null : cpus;
            mems = mems == null || mems.isEmpty() ? null : mems;
            blkioWeight = set(blkioWeight);
            pidsLimit = set(pidsLimit);
            unified = unified == null ? Map.of() : Map.copyOf(unified);
        }

        private static Long set(Long v) {
            return v == null || v == 0 ? null : v;
        }

        /** The fields of a resources document that runc's update takes; the rest is left out as runc leaves it. */
        public static Change of(LinuxResources r) {
            LinuxMemory m = r.getMemory() == null ? new LinuxMemory() : r.getMemory();
            LinuxCPU c = r.getCpu() == null ? new LinuxCPU() : r.getCpu();
            Long weight = r.getBlockIO() == null ? null : r.getBlockIO().getWeight();
            Long pids = r.getPids() == null ? null : r.getPids().getLimit();
            return new Change(m.getLimit(), m.getReservation(), m.getSwap(), c.getShares(), c.getQuota(),
                    c.getPeriod(), c.getRealtimeRuntime(), c.getRealtimePeriod(), c.getCpus(), c.getMems(), weight,
                    pids, r.getUnified());
        }

        /** The change as the manager takes it: null where nothing changes, no device rules. */
        Resources resources() {
            Resources.Memory memory = memoryLimit == null && memoryReservation == null && memorySwap == null ? null
                    : new Resources.Memory(memoryLimit, memoryReservation, memorySwap, null, null, false);
            Resources.Cpu cpu = cpuShares == null && cpuQuota == null && cpuPeriod == null
                    && cpuRealtimeRuntime == null && cpuRealtimePeriod == null && cpus == null && mems == null ? null
                    : new Resources.Cpu(cpuShares, cpuQuota, cpuPeriod, null, cpuRealtimeRuntime, cpuRealtimePeriod,
                            cpus, mems, null);
            Resources.BlockIo blkio = blkioWeight == null ? null
                    : new Resources.BlockIo(blkioWeight.intValue(), null, null, null, null, null, null);
            return new Resources(memory, cpu, blkio, List.of(), null, pidsLimit, Map.of(), unified, null);
        }

        /** {@code current} with this change over it: what the container's resources are afterwards. */
        LinuxResources over(LinuxResources current) {
            LinuxResources r = current == null ? new LinuxResources()
                    : SpecJson.mapper().convertValue(current, LinuxResources.class);
            if (memoryLimit != null || memoryReservation != null || memorySwap != null) {
                LinuxMemory m = r.getMemory() == null ? new LinuxMemory() : r.getMemory();
                m.setLimit(memoryLimit == null ? m.getLimit() : memoryLimit);
                m.setReservation(memoryReservation == null ? m.getReservation() : memoryReservation);
                m.setSwap(memorySwap == null ? m.getSwap() : memorySwap);
                r.setMemory(m);
            }
            if (resources().cpu() != null) {
                LinuxCPU c = r.getCpu() == null ? new LinuxCPU() : r.getCpu();
                c.setShares(cpuShares == null ? c.getShares() : cpuShares);
                c.setQuota(cpuQuota == null ? c.getQuota() : cpuQuota);
                c.setPeriod(cpuPeriod == null ? c.getPeriod() : cpuPeriod);
                c.setRealtimeRuntime(cpuRealtimeRuntime == null ? c.getRealtimeRuntime() : cpuRealtimeRuntime);
                c.setRealtimePeriod(cpuRealtimePeriod == null ? c.getRealtimePeriod() : cpuRealtimePeriod);
                c.setCpus(cpus == null ? c.getCpus() : cpus);
                c.setMems(mems == null ? c.getMems() : mems);
                r.setCpu(c);
            }
            if (blkioWeight != null) {
                LinuxBlockIO b = r.getBlockIO() == null ? new LinuxBlockIO() : r.getBlockIO();
                b.setWeight(blkioWeight);
                r.setBlockIO(b);
            }
            if (pidsLimit != null) {
                LinuxPids p = r.getPids() == null ? new LinuxPids() : r.getPids();
                p.setLimit(pidsLimit);
                r.setPids(p);
            }
            if (!unified.isEmpty()) {
                Map<String, String> u = new LinkedHashMap<>(r.getUnified() == null ? Map.of() : r.getUnified());
                u.putAll(unified);
                r.setUnified(u);
            }
            return r;
        }
    }

    /** The individual flags, as runc's update reads them (strings: parsing is part of the update). */
    public record Flags(int blkioWeight, String cpuPeriod, String cpuQuota, String cpuShare, String cpuRtPeriod,
                        String cpuRtRuntime, String cpusetCpus, String cpusetMems, String kernelMemory,
                        String kernelMemoryTcp, String memory, String memoryReservation, String memorySwap,
                        long pidsLimit) {
        public Change change() throws UsageException {
            if (blkioWeight < 0 || blkioWeight > 0xffff) {
                throw new UsageException("invalid value for blkio-weight: " + blkioWeight + " is not a uint16");
            }
            // parsed for their errors only: Linux has no kernel memory limits any more, and runc ignores them too
            size("kernel-memory", kernelMemory);
            size("kernel-memory-tcp", kernelMemoryTcp);
            return new Change(size("memory", memory), size("memory-reservation", memoryReservation),
                    size("memory-swap", memorySwap), unsigned("cpu-share", cpuShare), signed("cpu-quota", cpuQuota),
                    unsigned("cpu-period", cpuPeriod), signed("cpu-rt-runtime", cpuRtRuntime),
                    unsigned("cpu-rt-period", cpuRtPeriod), cpusetCpus, cpusetMems, (long) blkioWeight, pidsLimit,
                    Map.of());
        }
    }

    private static Long unsigned(String flag, String value) throws UsageException {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!value.matches("[0-9]+")) {
            throw new UsageException("invalid value for " + flag + ": \"" + value + "\" is not an unsigned integer");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value for " + flag + ": " + value + " is out of range");
        }
    }

    private static Long signed(String flag, String value) throws UsageException {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!value.matches("[-+]?[0-9]+")) {
            throw new UsageException("invalid value for " + flag + ": \"" + value + "\" is not an integer");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value for " + flag + ": " + value + " is out of range");
        }
    }

    // docker's RAMInBytes, which runc uses: a decimal number, an optional space, an
    // optional binary-multiple prefix, optional "i", optional "b", any case
    private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

    /** A memory size as runc reads it: "-1" is unlimited, otherwise 512, 512k, 1.5g, 2GiB, 64 MB... */
    static Long size(String flag, String value) throws UsageException {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.equals("-1")) {
            return -1L;
        }
        Matcher m = SIZE.matcher(value);
        BigDecimal number;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            number = new BigDecimal(m.group(1));
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value for " + flag + ": invalid size: '" + value + "'");
        }
        int shift = m.group(2) == null ? 0 : 10 * ("kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1);
        BigDecimal bytes = number.multiply(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(shift)));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new UsageException("invalid value for " + flag + ": " + value + " is out of range");
        }
        return bytes.longValue();
    }

    /** Applies the change to the live cgroup, then records the merged resources for the next update. */
    public static void update(Path root, String id, Change change) throws OciException {
        StateStore store = new StateStore(root);
        try (FileLock lock = store.lock(id)) {
            ContainerRecord r = store.read(id);
            CgroupManager cgroup = StateStore.cgroup(r);
            Status status = Status.of(r, store.dir(id), cgroup);
            if (status == Status.STOPPED) {
                throw new ContainerStateException("cannot update a stopped container");
            }
            if (cgroup == null) {
                throw new ContainerStateException("container " + id + " has no cgroup to update");
            }
            cgroup.update(change.resources());
            store.write(r.withResources(change.over(r.resources())));
        }
    }
}
