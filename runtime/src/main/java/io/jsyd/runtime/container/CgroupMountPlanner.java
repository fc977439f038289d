package io.jsyd.runtime.container;

import static io.jsyd.runtime.linux.LinuxConstants.MS_RDONLY;
import static io.jsyd.runtime.linux.LinuxConstants.MS_REMOUNT;

import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * A mount of type "cgroup" means "the cgroup filesystems, as the host has them":
 * cgroup2 on a unified host; on a v1 or hybrid host a tmpfs holding one mount per
 * hierarchy (with the comounted controllers' links), as runc lays it out.
 */
final class CgroupMountPlanner {
    private static final String CGROUP_ROOT = "/sys/fs/cgroup";
    private final HostView host;

    CgroupMountPlanner(HostView host) {
        this.host = host;
    }

    void plan(ContainerConfig c, MountEntry m, Plan.Builder b) {
        String dest = m.destination();
        List<HostView.MountInfo> mounts = host.mounts();
        boolean unified = mounts.stream().anyMatch(i -> i.mountPoint().equals(CGROUP_ROOT) && i.fsType().equals("cgroup2"));
        b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {0755}, dest);
        if (unified) {
            b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {m.flags()}, "cgroup2", dest, "cgroup2", "");
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
                b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {0755}, sub);
                b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {m.flags()}, "cgroup", sub, "cgroup",
                        controllers(h.superOptions()));
                if (name.contains(",")) {
                    for (String alias : name.split(",")) {
                        b.add(OpCode.SYMLINK_IN_ROOT, m.origin(), name, dest + "/" + alias);
                    }
                }
            } else if (h.fsType().equals("cgroup2")) {
                b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {0755}, sub);
                b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {m.flags()}, "cgroup2", sub, "cgroup2", "");
            }
        }
        if ((m.flags() & MS_RDONLY) != 0) {
            b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_REMOUNT | m.flags()}, "tmpfs", dest, "tmpfs", "mode=755");
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
