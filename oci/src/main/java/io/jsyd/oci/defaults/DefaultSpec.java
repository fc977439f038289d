package io.jsyd.oci.defaults;

import io.jsyd.oci.features.SpecVersions;
import io.jsyd.oci.spec.model.Capabilities;
import io.jsyd.oci.spec.model.Linux;
import io.jsyd.oci.spec.model.LinuxDeviceCgroup;
import io.jsyd.oci.spec.model.LinuxIDMapping;
import io.jsyd.oci.spec.model.LinuxNamespace;
import io.jsyd.oci.spec.model.LinuxResources;
import io.jsyd.oci.spec.model.Mount;
import io.jsyd.oci.spec.model.NamespaceType;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.Rlimit;
import io.jsyd.oci.spec.model.Root;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.oci.spec.model.User;
import java.util.ArrayList;
import java.util.List;

/**
 * The starter config.json that {@code spec} writes: the same content as runc's
 * (so bundles and tutorials written for runc work unchanged), with our
 * {@code ociVersion}. Each call builds a fresh, mutable {@link Spec}.
 */
public final class DefaultSpec {
    private static final List<String> DEFAULT_CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private DefaultSpec() {
    }

    /** The config for a container started by root: its own pid, net, ipc, uts and mount namespaces. */
    public static Spec standard() {
        Spec spec = new Spec();
        spec.setOciVersion(SpecVersions.MAX);
        spec.setProcess(process());
        Root root = new Root();
        root.setPath("rootfs");
        root.setReadonly(true);
        spec.setRoot(root);
        spec.setHostname("runc");
        spec.setMounts(new ArrayList<>(List.of(
                mount("/proc", "proc", "proc"),
                mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
                mount("/dev/pts", "devpts", "devpts",
                        "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
                mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
                mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
                mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"))));

        Linux linux = new Linux();
        LinuxDeviceCgroup denyAll = new LinuxDeviceCgroup();
        denyAll.setAllow(false);
        denyAll.setAccess("rwm");
        LinuxResources resources = new LinuxResources();
        resources.setDevices(new ArrayList<>(List.of(denyAll)));
        linux.setResources(resources);
        linux.setNamespaces(namespaces(NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.IPC,
                NamespaceType.UTS, NamespaceType.MOUNT));
        linux.setMaskedPaths(new ArrayList<>(List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/sys/firmware", "/proc/scsi")));
        linux.setReadonlyPaths(new ArrayList<>(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                "/proc/sysrq-trigger")));
        spec.setLinux(linux);
        return spec;
    }

    /**
     * The variant for a caller without root on the host, as runc makes it: a user
     * namespace mapping root in the container to the caller ({@code hostUid}/{@code
     * hostGid}, the caller's effective ids), no network namespace and no device
     * cgroup (neither works unprivileged), /sys bind-mounted from the host (sysfs
     * cannot be mounted without owning the network namespace), and no gid= option
     * on devpts (group 5 is not mapped).
     */
    public static Spec rootless(long hostUid, long hostGid) {
        Spec spec = standard();
        Linux linux = spec.getLinux();
        linux.setResources(null);
        linux.setUidMappings(new ArrayList<>(List.of(mapping(hostUid))));
        linux.setGidMappings(new ArrayList<>(List.of(mapping(hostGid))));
        List<LinuxNamespace> namespaces = new ArrayList<>();
        for (LinuxNamespace ns : linux.getNamespaces()) {
            if (ns.getType() != NamespaceType.NETWORK) {
                namespaces.add(ns);
            }
        }
        namespaces.add(namespace(NamespaceType.USER));
        linux.setNamespaces(namespaces);

        List<Mount> mounts = new ArrayList<>();
        for (Mount m : spec.getMounts()) {
            switch (m.getDestination()) {
                case "/sys" -> mounts.add(mount("/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro"));
                case "/dev/pts" -> {
                    List<String> options = new ArrayList<>(m.getOptions());
                    options.removeIf(o -> o.startsWith("gid="));
                    m.setOptions(options);
                    mounts.add(m);
                }
                default -> mounts.add(m);
            }
        }
        spec.setMounts(mounts);
        return spec;
    }

    private static Process process() {
        Process process = new Process();
        process.setTerminal(true);
        User user = new User();
        user.setUid(0L);
        user.setGid(0L);
        process.setUser(user);
        process.setArgs(new ArrayList<>(List.of("sh")));
        process.setEnv(new ArrayList<>(List.of(
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm")));
        process.setCwd("/");
        Capabilities caps = new Capabilities();
        caps.setBounding(new ArrayList<>(DEFAULT_CAPS));
        caps.setEffective(new ArrayList<>(DEFAULT_CAPS));
        caps.setPermitted(new ArrayList<>(DEFAULT_CAPS));
        caps.setAmbient(new ArrayList<>(DEFAULT_CAPS));
        process.setCapabilities(caps);
        Rlimit nofile = new Rlimit();
        nofile.setType("RLIMIT_NOFILE");
        nofile.setHard(java.math.BigInteger.valueOf(1024));
        nofile.setSoft(java.math.BigInteger.valueOf(1024));
        process.setRlimits(new ArrayList<>(List.of(nofile)));
        process.setNoNewPrivileges(true);
        return process;
    }

    private static Mount mount(String destination, String type, String source, String... options) {
        Mount m = new Mount();
        m.setDestination(destination);
        m.setType(type);
        m.setSource(source);
        if (options.length > 0) {
            m.setOptions(new ArrayList<>(List.of(options)));
        }
        return m;
    }

    private static List<LinuxNamespace> namespaces(NamespaceType... types) {
        List<LinuxNamespace> list = new ArrayList<>();
        for (NamespaceType type : types) {
            list.add(namespace(type));
        }
        return list;
    }

    private static LinuxNamespace namespace(NamespaceType type) {
        LinuxNamespace ns = new LinuxNamespace();
        ns.setType(type);
        return ns;
    }

    private static LinuxIDMapping mapping(long hostId) {
        LinuxIDMapping m = new LinuxIDMapping();
        m.setContainerID(0L);
        m.setHostID(hostId);
        m.setSize(1L);
        return m;
    }
}
