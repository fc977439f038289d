package io.jsyd.runtime.container;

import io.jsyd.runtime.cgroup.CgroupConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything the kernel needs to make a container, decided by the front end.
 *
 * @param rootPropagation MS_* propagation for "/" (MS_REC only when wanted); 0 for runc's default (rslave)
 * @param keepFds         fds above stderr passed through unchanged (LISTEN_FDS, --preserve-fds)
 * @param cgroup          the container's cgroup, or null for none (the init stays in the caller's)
 */
public record ContainerConfig(String id, Path rootfs, boolean readonlyRoot, List<Namespace> namespaces,
                              List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                              List<TimeOffset> timeOffsets, List<MountEntry> mounts, List<DeviceNode> devices,
                              List<String> maskedPaths, List<String> readonlyPaths, String hostname,
                              String domainname, Map<String, String> sysctl, long rootPropagation,
                              boolean noPivot, ProcessConfig process, int keepFds, CgroupConfig cgroup) {
    public ContainerConfig {
        namespaces = List.copyOf(namespaces);
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        timeOffsets = List.copyOf(timeOffsets);
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        sysctl = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(sysctl));
    }

    /** A container without a cgroup of its own. */
    public ContainerConfig(String id, Path rootfs, boolean readonlyRoot, List<Namespace> namespaces,
                           List<IdMapping> uidMappings, List<IdMapping> gidMappings,
                           List<TimeOffset> timeOffsets, List<MountEntry> mounts, List<DeviceNode> devices,
                           List<String> maskedPaths, List<String> readonlyPaths, String hostname,
                           String domainname, Map<String, String> sysctl, long rootPropagation,
                           boolean noPivot, ProcessConfig process, int keepFds) {
        this(id, rootfs, readonlyRoot, namespaces, uidMappings, gidMappings, timeOffsets, mounts, devices, maskedPaths,
                readonlyPaths, hostname, domainname, sysctl, rootPropagation, noPivot, process, keepFds, null);
    }

    public ContainerConfig withCgroup(CgroupConfig c) {
        return new ContainerConfig(id, rootfs, readonlyRoot, namespaces, uidMappings, gidMappings, timeOffsets, mounts,
                devices, maskedPaths, readonlyPaths, hostname, domainname, sysctl, rootPropagation, noPivot, process,
                keepFds, c);
    }

    public ContainerConfig withProcess(ProcessConfig p) {
        return new ContainerConfig(id, rootfs, readonlyRoot, namespaces, uidMappings, gidMappings, timeOffsets, mounts,
                devices, maskedPaths, readonlyPaths, hostname, domainname, sysctl, rootPropagation, noPivot, p,
                keepFds, cgroup);
    }

    public Namespace namespace(NamespaceKind kind) {
        return namespaces.stream().filter(n -> n.kind() == kind).findFirst().orElse(null);
    }

    public boolean creates(NamespaceKind kind) {
        Namespace n = namespace(kind);
        return n != null && n.isNew();
    }
}
