package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Picks the manager for what the host mounts and places the cgroup as runc does. */
public final class Cgroups {
    private Cgroups() {
    }

    public static CgroupManager manager(CgroupConfig config) {
        return manager(config, CgroupHost.system(), CgroupFs.system());
    }

    /**
     * Puts {@code pid} into each of {@code dirs}, existing cgroup directories (one per
     * hierarchy, repeats counted once): `exec --cgroup` with sub-cgroups of the
     * container's. Nothing is made; a missing directory fails in runc's words, naming
     * the file ("error adding pid N to cgroups: failed to write N: openat2
     * DIR/cgroup.procs: no such file or directory").
     */
    public static void enter(java.util.Collection<Path> dirs, int pid) {
        java.util.Set<Path> distinct = new java.util.LinkedHashSet<>(dirs);
        for (Path dir : distinct) {
            // controllers mounted together share a directory: when one of them names a
            // sub-cgroup, that is where the process goes, not its parent
            if (distinct.stream().anyMatch(d -> !d.equals(dir) && d.startsWith(dir))) {
                continue;
            }
            Path procs = dir.resolve("cgroup.procs");
            try {
                io.jsyd.runtime.linux.KernelFiles.writeOnce(procs.toString(), Integer.toString(pid), "");
            } catch (io.jsyd.runtime.SyscallException e) {
                io.jsyd.runtime.linux.Errno errno = io.jsyd.runtime.linux.Errno.of(e.errno());
                throw new CgroupException("error adding pid " + pid + " to cgroups: failed to write " + pid + ": "
                        + ("open".equals(e.syscall()) ? "openat2 " : "write ") + procs + ": "
                        + (errno == null ? "errno " + e.errno() : errno.description()), e);
            }
        }
    }

    /**
     * A manager for the container's cgroup. Nothing is made yet, but a config this
     * host cannot carry out (a missing controller, v2 keys on v1, v1-only fields on
     * v2) is refused here.
     */
    public static CgroupManager manager(CgroupConfig config, CgroupHost host, CgroupFs fs) {
        CgroupFiles files = new CgroupFiles(fs);
        Resources r = config.resources();
        switch (host.mode()) {
            case NONE -> throw new CgroupException("no cgroup filesystem is mounted on this host");
            case UNIFIED -> {
                Path mount = host.unified().mountPoint();
                V2Manager.check(files, mount, r);
                // runc's fs2 puts a relative path beside its own cgroup, which has processes in it
                return new V2Manager(files, mount, dir(host, host.unified(), config.path(), true), r,
                        host.hugePageSizes());
            }
            default -> {
                V1Manager.check(files, host, r);
                Map<CgroupHost.Hierarchy, Path> dirs = new LinkedHashMap<>();
                for (CgroupHost.Hierarchy h : host.hierarchies()) {
                    dirs.put(h, dir(host, h, config.path(), false));
                }
                V2Manager unified = null;
                if (host.unified() != null) {
                    Set<String> there = V2Manager.available(files, host.unified().mountPoint());
                    boolean hugetlb = V1Manager.hugetlbInUnified(host, there) && !r.hugepageLimits().isEmpty();
                    Resources part = hugetlb ? new Resources(null, null, null, r.hugepageLimits(), null, null, null,
                            null, null) : Resources.NONE;
                    unified = new V2Manager(files, host.unified().mountPoint(),
                            dir(host, host.unified(), config.path(), false), part, host.hugePageSizes());
                }
                return new V1Manager(files, host, dirs, unified, r);
            }
        }
    }

    /**
     * The manager of a container made earlier (pause, update, stats, delete from
     * another process): {@code saved} is the {@link CgroupManager#paths()} it had, as
     * the state store kept them, since a relative path depends on where the creating
     * process sat. Removal then takes the container's own directories only.
     */
    public static CgroupManager existing(CgroupConfig config, Map<String, Path> saved, CgroupHost host, CgroupFs fs) {
        CgroupFiles files = new CgroupFiles(fs);
        Resources r = config.resources();
        if (host.mode() == CgroupHost.Mode.UNIFIED) {
            return new V2Manager(files, host.unified().mountPoint(), require(saved, ""), r, host.hugePageSizes());
        }
        Map<CgroupHost.Hierarchy, Path> dirs = new LinkedHashMap<>();
        for (CgroupHost.Hierarchy h : host.hierarchies()) {
            h.controllers().stream().map(saved::get).filter(java.util.Objects::nonNull).findFirst()
                    .ifPresent(d -> dirs.put(h, d));
        }
        V2Manager unified = host.unified() != null && saved.containsKey("")
                ? new V2Manager(files, host.unified().mountPoint(), saved.get(""), Resources.NONE, host.hugePageSizes())
                : null;
        return new V1Manager(files, host, dirs, unified, r);
    }

    private static Path require(Map<String, Path> saved, String key) {
        Path p = saved.get(key);
        if (p == null) {
            throw new CgroupException("the saved cgroup paths have no " + (key.isEmpty() ? "cgroup v2" : key) + " entry");
        }
        return p;
    }

    /**
     * Moves process {@code pid} into the top cgroup of every hierarchy the host
     * mounts. For a long-lived helper started from a caller's cgroup (podman puts
     * conmon in one it removes later): staying there would keep that cgroup busy.
     * Each hierarchy is tried; the failures come back, one line each.
     */
    public static List<String> moveToTops(CgroupHost host, int pid) {
        List<CgroupHost.Hierarchy> all = new java.util.ArrayList<>(host.hierarchies());
        if (host.unified() != null) {
            all.add(host.unified());
        }
        List<String> failures = new java.util.ArrayList<>();
        for (CgroupHost.Hierarchy h : all) {
            String procs = h.mountPoint().resolve("cgroup.procs").toString();
            try {
                io.jsyd.runtime.linux.KernelFiles.writeOnce(procs, Integer.toString(pid), "leave the caller's cgroup");
            } catch (io.jsyd.runtime.SyscallException e) {
                failures.add(e.getMessage());
            }
        }
        return failures;
    }

    /** Which cgroup versions the host runs its controllers on, for messages and features. */
    public static List<Integer> versions(CgroupHost host) {
        return switch (host.mode()) {
            case UNIFIED -> List.of(2);
            case HYBRID -> List.of(1, 2);
            case LEGACY -> List.of(1);
            case NONE -> List.of();
        };
    }

    /**
     * The container's directory in one hierarchy: an absolute path from the
     * hierarchy's top, a relative one below this process's own cgroup (or, with
     * {@code besideOwn}, below its parent).
     */
    static Path dir(CgroupHost host, CgroupHost.Hierarchy h, CgroupPath path, boolean besideOwn) {
        Path mount = h.mountPoint();
        return switch (path) {
            case CgroupPath.Absolute a -> {
                if (a.path().equals("/")) {
                    throw new CgroupException("linux.cgroupsPath: \"/\" is the root cgroup, which no container can own");
                }
                yield mount.resolve(a.path().substring(1));
            }
            case CgroupPath.Relative rel -> {
                String own = host.ownCgroup(h);
                if (besideOwn) {
                    Path parent = Path.of(own).getParent();
                    own = parent == null ? "/" : parent.toString();
                }
                String root = h.root();
                if (!root.equals("/") && (own.equals(root) || own.startsWith(root + "/"))) {
                    own = own.substring(root.length());
                }
                Path base = mount;
                for (String part : own.split("/")) {
                    if (!part.isEmpty()) {
                        base = base.resolve(part);
                    }
                }
                yield base.resolve(rel.path());
            }
        };
    }
}
