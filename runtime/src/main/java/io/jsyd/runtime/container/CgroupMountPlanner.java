package io.jsyd.runtime.container;

import static io.jsyd.runtime.linux.LinuxConstants.MS_BIND;
import static io.jsyd.runtime.linux.LinuxConstants.MS_RDONLY;
import static io.jsyd.runtime.linux.LinuxConstants.MS_REC;
import static io.jsyd.runtime.linux.LinuxConstants.MS_REMOUNT;

import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A mount of type "cgroup" means "the cgroup filesystems, as the host has them":
 * cgroup2 on a unified host; on a v1 or hybrid host a tmpfs holding one mount per
 * hierarchy (with the comounted controllers' links), as runc lays it out.
 *
 * Either way the container sees its own cgroup at the top. In a cgroup namespace
 * a new mount of the hierarchy does that by itself (the init joined its cgroup
 * before the namespace was made). Without one, a new mount would show the host's
 * whole tree, so the container's own directory is bind-mounted instead, as runc
 * does for v1.
 */
final class CgroupMountPlanner {
    private static final String CGROUP_ROOT = "/sys/fs/cgroup";
    private final HostView host;
    private final Map<String, Path> cgroupPaths;

    CgroupMountPlanner(HostView host, Map<String, Path> cgroupPaths) {
        this.host = host;
        this.cgroupPaths = cgroupPaths;
    }

    void plan(ContainerConfig c, MountEntry m, Plan.Builder b) {
        String dest = m.destination();
        List<HostView.MountInfo> mounts = host.mounts();
        boolean unified = mounts.stream().anyMatch(i -> i.mountPoint().equals(CGROUP_ROOT) && i.fsType().equals("cgroup2"));
        boolean bindOwn = !c.creates(NamespaceKind.CGROUP) && !cgroupPaths.isEmpty();
        b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {0755}, dest);
        if (unified) {
            Path own = cgroupPaths.get("");
            if (bindOwn && own != null) {
                bind(m, own.toString(), dest, m.flags(), b);
            } else {
                b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {m.flags()}, "cgroup2", dest, "cgroup2", "");
            }
            return;
        }
        long writable = m.flags() & ~MS_RDONLY;
        b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {writable}, "tmpfs", dest, "tmpfs", "mode=755");
        for (HostView.MountInfo h : mounts) {
            if (!h.mountPoint().startsWith(CGROUP_ROOT + "/")) {
                continue;
            }
            String name = h.mountPoint().substring(CGROUP_ROOT.length() + 1);
            if (name.contains("/")) {
                continue;
            }
            String sub = dest + "/" + name;
            if (h.fsType().equals("cgroup")) {
                String controllers = controllers(h.superOptions());
                b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {0755}, sub);
                Path own = bindOwn ? cgroupPaths.get(controllers.split(",")[0]) : null;
                if (own != null) {
                    bind(m, own.toString(), sub, m.flags(), b);
                } else {
                    b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {m.flags()}, "cgroup", sub, "cgroup", controllers);
                }
                if (name.contains(",")) {
                    for (String alias : name.split(",")) {
                        b.add(OpCode.SYMLINK_IN_ROOT, m.origin(), name, dest + "/" + alias);
                    }
                }
            } else if (h.fsType().equals("cgroup2")) {
                b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {0755}, sub);
                Path own = bindOwn ? cgroupPaths.get("") : null;
                if (own != null) {
                    bind(m, own.toString(), sub, m.flags(), b);
                } else {
                    b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {m.flags()}, "cgroup2", sub, "cgroup2", "");
                }
            }
        }
        if ((m.flags() & MS_RDONLY) != 0) {
            b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_REMOUNT | m.flags()}, "tmpfs", dest, "tmpfs", "mode=755");
        }
    }

    /** bind(2) ignores the other flags: they take a remount. */
    private static void bind(MountEntry m, String source, String dest, long flags, Plan.Builder b) {
        b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_BIND | MS_REC}, source, dest, "", "");
        if (flags != 0) {
            b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_BIND | MS_REMOUNT | flags}, "", dest, "", "");
        }
    }

    /** The hierarchy's controllers (and name=), which a new mount of it must repeat. */
    static String controllers(String superOptions) {
        List<String> keep = new ArrayList<>();
        for (String o : superOptions.split(",")) {
            if (o.equals("rw") || o.equals("ro") || o.equals("xattr") || o.equals("clone_children")
                    || o.startsWith("release_agent=") || o.isEmpty()) {
                continue;
            }
            keep.add(o);
        }
        return String.join(",", keep);
    }
}
