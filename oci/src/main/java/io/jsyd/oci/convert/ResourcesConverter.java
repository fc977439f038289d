package io.jsyd.oci.convert;

import io.jsyd.oci.spec.model.Linux;
import io.jsyd.oci.spec.model.LinuxBlockIO;
import io.jsyd.oci.spec.model.LinuxCPU;
import io.jsyd.oci.spec.model.LinuxDeviceCgroup;
import io.jsyd.oci.spec.model.LinuxMemory;
import io.jsyd.oci.spec.model.LinuxResources;
import io.jsyd.oci.spec.model.LinuxThrottleDevice;
import io.jsyd.runtime.cgroup.CgroupConfig;
import io.jsyd.runtime.cgroup.CgroupPath;
import io.jsyd.runtime.cgroup.DeviceRule;
import io.jsyd.runtime.cgroup.Resources;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * linux.cgroupsPath and linux.resources -> the kernel's {@link CgroupConfig}, as
 * runc's specconv makes its cgroup config: every container gets a cgroup (named
 * after its id when the path is empty), and runc's default device rules follow
 * the config's own.
 */
public final class ResourcesConverter {
    /**
     * The cgroup driver the command line asked for.
     *
     * @param systemd        --systemd-cgroup was given
     * @param systemdRunning systemd manages this host (/run/systemd/system exists)
     */
    public record Driver(boolean systemd, boolean systemdRunning) {
        public static final Driver CGROUPFS = new Driver(false, false);
    }

    private static final long ANY = DeviceRule.WILDCARD;

    /**
     * runc's AllowedDevices, appended after the config's rules (so a config cannot
     * take them away, as with runc): mknod of anything, the standard nodes, ptys,
     * /dev/ptmx and /dev/net/tun.
     */
    public static final List<DeviceRule> DEFAULT_RULES = List.of(
            new DeviceRule(true, 'c', ANY, ANY, "m"),
            new DeviceRule(true, 'b', ANY, ANY, "m"),
            new DeviceRule(true, 'c', 1, 3, "rwm"),
            new DeviceRule(true, 'c', 1, 8, "rwm"),
            new DeviceRule(true, 'c', 1, 7, "rwm"),
            new DeviceRule(true, 'c', 5, 0, "rwm"),
            new DeviceRule(true, 'c', 1, 5, "rwm"),
            new DeviceRule(true, 'c', 1, 9, "rwm"),
            new DeviceRule(true, 'c', 136, ANY, "rwm"),
            new DeviceRule(true, 'c', 5, 2, "rwm"),
            new DeviceRule(true, 'c', 10, 200, "rwm"));

    private final BiConsumer<String, String> error;
    private final BiConsumer<String, String> warn;

    private ResourcesConverter(BiConsumer<String, String> error, BiConsumer<String, String> warn) {
        this.error = error;
        this.warn = warn;
    }

    /**
     * @param error receives (JSON path, message) for what cannot run
     * @param warn  receives (JSON path, message) for what is ignored, as runc ignores it
     * @return the cgroup, or null when there were errors
     */
    public static CgroupConfig convert(Linux linux, String id, Driver driver, BiConsumer<String, String> error,
                                       BiConsumer<String, String> warn) {
        return new ResourcesConverter(error, warn).run(linux == null ? new Linux() : linux, id, driver);
    }

    private CgroupConfig run(Linux linux, String id, Driver driver) {
        String path = linux.getCgroupsPath() == null ? "" : linux.getCgroupsPath();
        if (driver.systemd()) {
            if (!path.isEmpty() && path.split(":", -1).length != 3) {
                error.accept("$.linux.cgroupsPath", "\"" + path + "\" is not systemd's slice:prefix:name form,"
                        + " which --systemd-cgroup needs");
            } else if (!driver.systemdRunning()) {
                error.accept("$.linux.cgroupsPath", "--systemd-cgroup asks for systemd's cgroup driver, but systemd"
                        + " is not running on this host (no /run/systemd/system); run without --systemd-cgroup");
            } else {
                error.accept("$.linux.cgroupsPath", "--systemd-cgroup: the systemd cgroup driver is not supported by"
                        + " jsyd-oci yet; run without --systemd-cgroup to use cgroupfs");
            }
            return null;
        }
        CgroupPath where;
        try {
            where = path.isEmpty() ? new CgroupPath.Relative(id)
                    : path.startsWith("/") ? new CgroupPath.Absolute(path) : new CgroupPath.Relative(path);
        } catch (IllegalArgumentException e) {
            where = new CgroupPath.Absolute("/"); // "." or "..": no cgroup of its own either
        }
        if (where.path().equals("/")) {
            error.accept("$.linux.cgroupsPath", "\"" + path + "\" names the root cgroup, which no container can own");
            return null;
        }
        LinuxResources r = linux.getResources() == null ? new LinuxResources() : linux.getResources();
        Resources resources = new Resources(memory(r.getMemory()), cpu(r.getCpu()), blockIo(r.getBlockIO()),
                hugepages(r), network(r), r.getPids() == null ? null : r.getPids().getLimit(), rdma(r),
                r.getUnified(), devices(r.getDevices()));
        return new CgroupConfig(where, resources);
    }

    private Resources.Memory memory(LinuxMemory m) {
        if (m == null) {
            return null;
        }
        String at = "$.linux.resources.memory";
        if (m.getKernel() != null || m.getKernelTCP() != null) {
            warn.accept(at + (m.getKernel() != null ? ".kernel" : ".kernelTCP"),
                    "kernel memory limits are ignored, as runc ignores them (Linux dropped them in 5.16 and cgroup v2 never had them)");
        }
        if (m.getUseHierarchy() != null) {
            warn.accept(at + ".useHierarchy", "ignored: memory accounting is always hierarchical on current kernels");
        }
        Long swappiness = null;
        if (m.getSwappiness() != null) {
            BigInteger s = m.getSwappiness();
            // runc reads the uint64 -1 of older tools as "unset"
            if (s.equals(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)) || s.signum() < 0) {
                swappiness = -1L;
            } else if (s.compareTo(BigInteger.valueOf(100)) > 0) {
                error.accept(at + ".swappiness", s + " is outside 0..100");
            } else {
                swappiness = s.longValue();
            }
        }
        return new Resources.Memory(m.getLimit(), m.getReservation(), m.getSwap(), swappiness, m.getDisableOOMKiller(),
                Boolean.TRUE.equals(m.getCheckBeforeUpdate()));
    }

    private static Resources.Cpu cpu(LinuxCPU c) {
        if (c == null) {
            return null;
        }
        return new Resources.Cpu(c.getShares(), c.getQuota(), c.getPeriod(), c.getBurst(), c.getRealtimeRuntime(),
                c.getRealtimePeriod(), c.getCpus(), c.getMems(), c.getIdle());
    }

    private static Integer integer(Long v) {
        return v == null ? null : v.intValue();
    }

    private static Resources.BlockIo blockIo(LinuxBlockIO b) {
        if (b == null) {
            return null;
        }
        return new Resources.BlockIo(integer(b.getWeight()), integer(b.getLeafWeight()),
                orEmpty(b.getWeightDevice()).stream().map(d -> new Resources.WeightDevice(d.getMajor(), d.getMinor(),
                        integer(d.getWeight()), integer(d.getLeafWeight()))).toList(),
                throttles(b.getThrottleReadBpsDevice()), throttles(b.getThrottleWriteBpsDevice()),
                throttles(b.getThrottleReadIOPSDevice()), throttles(b.getThrottleWriteIOPSDevice()));
    }

    private static List<Resources.ThrottleDevice> throttles(List<LinuxThrottleDevice> list) {
        return orEmpty(list).stream().map(t -> new Resources.ThrottleDevice(t.getMajor(), t.getMinor(), t.getRate())).toList();
    }

    private static List<Resources.HugepageLimit> hugepages(LinuxResources r) {
        return orEmpty(r.getHugepageLimits()).stream()
                .map(h -> new Resources.HugepageLimit(h.getPageSize(), h.getLimit())).toList();
    }

    private static Resources.Network network(LinuxResources r) {
        if (r.getNetwork() == null) {
            return null;
        }
        return new Resources.Network(r.getNetwork().getClassID(), orEmpty(r.getNetwork().getPriorities()).stream()
                .map(p -> new Resources.InterfacePriority(p.getName(), p.getPriority())).toList());
    }

    private static Map<String, Resources.RdmaLimit> rdma(LinuxResources r) {
        Map<String, Resources.RdmaLimit> m = new LinkedHashMap<>();
        if (r.getRdma() != null) {
            r.getRdma().getAdditionalProperties().forEach((device, limit) ->
                    m.put(device, new Resources.RdmaLimit(limit.getHcaHandles(), limit.getHcaObjects())));
        }
        return m;
    }

    private List<DeviceRule> devices(List<LinuxDeviceCgroup> list) {
        List<DeviceRule> rules = new ArrayList<>();
        for (int i = 0; i < orEmpty(list).size(); i++) {
            LinuxDeviceCgroup d = list.get(i);
            String at = "$.linux.resources.devices[" + i + "]";
            String type = d.getType() == null || d.getType().isEmpty() ? "a" : d.getType();
            if (!type.equals("a") && !type.equals("b") && !type.equals("c")) {
                error.accept(at + ".type", "\"" + type + "\" is not a device cgroup type (a, b or c)");
                continue;
            }
            String access = d.getAccess() == null ? "" : d.getAccess();
            if (access.isEmpty()) {
                // runc refuses an empty access; the kernel would read it as no rule at all
                error.accept(at + ".access", "must name at least one of r, w and m");
                continue;
            }
            if (!access.chars().allMatch(ch -> ch == 'r' || ch == 'w' || ch == 'm')) {
                error.accept(at + ".access", "\"" + access + "\" may only hold r, w and m");
                continue;
            }
            rules.add(new DeviceRule(Boolean.TRUE.equals(d.getAllow()), type.charAt(0),
                    d.getMajor() == null ? ANY : d.getMajor(), d.getMinor() == null ? ANY : d.getMinor(), access));
        }
        rules.addAll(DEFAULT_RULES);
        return rules;
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
