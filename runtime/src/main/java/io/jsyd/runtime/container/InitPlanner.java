package io.jsyd.runtime.container;

import static io.jsyd.runtime.linux.LinuxConstants.MS_BIND;
import static io.jsyd.runtime.linux.LinuxConstants.MS_PRIVATE;
import static io.jsyd.runtime.linux.LinuxConstants.MS_RDONLY;
import static io.jsyd.runtime.linux.LinuxConstants.MS_REC;
import static io.jsyd.runtime.linux.LinuxConstants.MS_REMOUNT;
import static io.jsyd.runtime.linux.LinuxConstants.MS_SHARED;
import static io.jsyd.runtime.linux.LinuxConstants.MS_SLAVE;
import static io.jsyd.runtime.linux.LinuxConstants.MS_UNBINDABLE;
import static io.jsyd.runtime.linux.LinuxConstants.PR_SET_KEEPCAPS;
import static io.jsyd.runtime.linux.LinuxConstants.PR_SET_NO_NEW_PRIVS;
import static io.jsyd.runtime.linux.LinuxConstants.S_IFBLK;
import static io.jsyd.runtime.linux.LinuxConstants.S_IFCHR;
import static io.jsyd.runtime.linux.LinuxConstants.S_IFIFO;

import io.jsyd.runtime.landlock.LandlockOps;
import io.jsyd.runtime.linux.Capability;
import io.jsyd.runtime.seccomp.SeccompFilter;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link ContainerConfig} into the plan the init stub runs. Every choice
 * is made here; the stub only carries the ops out. The order follows runc's init:
 * namespaces, id maps, the init process, the rootfs, then the process's identity.
 */
public final class InitPlanner {
    private static final int DIR_MODE = 0755;
    private static final int FILE_MODE = 0644;

    private final HostView host;
    private final Map<String, java.nio.file.Path> cgroupPaths;

    public InitPlanner(HostView host) {
        this(host, Map.of());
    }

    /**
     * @param cgroupPaths the container's cgroup directories (CgroupManager.paths()): a
     *                    cgroup mount without a cgroup namespace shows these
     */
    public InitPlanner(HostView host, Map<String, java.nio.file.Path> cgroupPaths) {
        this.host = host;
        this.cgroupPaths = Map.copyOf(cgroupPaths);
    }

    /** The devices every container gets unless the config names the same path. */
    static List<DeviceNode> defaultDevices() {
        return List.of(
                new DeviceNode("default device /dev/null", "/dev/null", 'c', 1, 3, 0666, 0, 0),
                new DeviceNode("default device /dev/zero", "/dev/zero", 'c', 1, 5, 0666, 0, 0),
                new DeviceNode("default device /dev/full", "/dev/full", 'c', 1, 7, 0666, 0, 0),
                new DeviceNode("default device /dev/random", "/dev/random", 'c', 1, 8, 0666, 0, 0),
                new DeviceNode("default device /dev/urandom", "/dev/urandom", 'c', 1, 9, 0666, 0, 0),
                new DeviceNode("default device /dev/tty", "/dev/tty", 'c', 5, 0, 0666, 0, 0));
    }

    public Plan plan(ContainerConfig c) {
        return plan(c, HookPoints.NONE, null);
    }

    /** The plan with the hook points {@code hooks} asks for (see {@link HookPoints}). */
    public Plan plan(ContainerConfig c, HookPoints hooks) {
        return plan(c, hooks, null);
    }

    /**
     * @param execFifo the fifo `start` opens (create/start split), or null to exec at
     *                 once: the init then reports {@link SyncPoint#READY} and waits on
     *                 the fifo right before it execs (and before the startContainer hooks)
     */
    public Plan plan(ContainerConfig c, HookPoints hooks, java.nio.file.Path execFifo) {
        Plan.Builder b = new Plan.Builder();
        int handles = 0;
        if (execFifo != null) {
            // opened while the stub still sees the host's filesystem; after the pivot only this fd reaches it
            b.add(OpCode.OPEN_PATH, "exec fifo", execFifo.toString());
            handles++;
        }
        CpuAffinity affinity = c.process().cpuAffinity();
        if (affinity != null && !affinity.initial().isEmpty()) {
            b.add(OpCode.SETAFFINITY, "process.execCPUAffinity.initial", longs(affinity.initial()));
        }
        Map<MountEntry, Integer> trees = idmappedTrees(c, b, handles);
        joinAndCreateNamespaces(c, b);
        if (c.process().oomScoreAdj() != null || c.cgroup() != null) {
            // the parent places the init in its cgroup here: before anything of the user's runs,
            // and before the cgroup namespace below is made, so that it is rooted there
            b.add(OpCode.SYNC, c.cgroup() != null ? "linux.cgroupsPath" : "process.oomScoreAdj",
                    new long[] {SyncPoint.INIT_CREATED.id()});
        }
        if (c.creates(NamespaceKind.CGROUP)) {
            b.add(OpCode.UNSHARE, origin(c, NamespaceKind.CGROUP), new long[] {NamespaceKind.CGROUP.cloneFlag()});
        }
        b.add(OpCode.SETSID, "");
        rootfs(c, b, trees, hooks);
        if (!c.hostname().isEmpty()) {
            b.add(OpCode.SETHOSTNAME, "hostname", c.hostname());
        }
        if (!c.domainname().isEmpty()) {
            b.add(OpCode.SETDOMAINNAME, "domainname", c.domainname());
        }
        for (Map.Entry<String, String> s : c.sysctl().entrySet()) {
            b.add(OpCode.WRITE_FILE, "linux.sysctl[" + s.getKey() + "]", new long[] {0},
                    "/proc/sys/" + s.getKey().replace('.', '/'), s.getValue());
        }
        for (int i = 0; i < c.readonlyPaths().size(); i++) {
            b.add(OpCode.READONLY_PATH, "linux.readonlyPaths[" + i + "]", c.readonlyPaths().get(i));
        }
        for (int i = 0; i < c.maskedPaths().size(); i++) {
            b.add(OpCode.MASK_PATH, "linux.maskedPaths[" + i + "]", c.maskedPaths().get(i));
        }
        if (c.readonlyRoot()) {
            b.add(OpCode.MOUNT, "root.readonly", new long[] {MS_BIND | MS_REMOUNT | MS_RDONLY}, "", "/", "", "");
        }
        process(c, b, hooks, execFifo != null);
        return b.build();
    }

    private static String origin(ContainerConfig c, NamespaceKind kind) {
        Namespace n = c.namespace(kind);
        return n == null ? "" : n.origin();
    }

    private void joinAndCreateNamespaces(ContainerConfig c, Plan.Builder b) {
        List<Namespace> joined = c.namespaces().stream().filter(n -> !n.isNew())
                .sorted(Comparator.comparing(Namespace::kind)).toList();
        if (!joined.isEmpty()) {
            // one op: the stub opens every path before it joins any (see ops.def)
            b.add(OpCode.SETNS, String.join(", ", joined.stream().map(Namespace::origin).toList()),
                    joined.stream().mapToLong(n -> n.kind().cloneFlag()).toArray(),
                    joined.stream().map(n -> n.join().toString()).toArray(String[]::new));
        }
        if (c.creates(NamespaceKind.USER)) {
            b.add(OpCode.UNSHARE, origin(c, NamespaceKind.USER), new long[] {NamespaceKind.USER.cloneFlag()});
            b.add(OpCode.SYNC, "linux.uidMappings", new long[] {SyncPoint.USERNS_MAPS.id()});
            if (mapsZero(c.uidMappings()) && mapsZero(c.gidMappings())) {
                b.add(OpCode.SETRESGID, "linux.gidMappings", new long[] {0});
                b.add(OpCode.SETRESUID, "linux.uidMappings", new long[] {0});
            }
        }
        long flags = 0;
        String what = "linux.namespaces";
        for (Namespace n : c.namespaces()) {
            if (n.isNew() && n.kind() != NamespaceKind.USER && n.kind() != NamespaceKind.CGROUP) {
                flags |= n.kind().cloneFlag();
            }
        }
        if (flags != 0) {
            b.add(OpCode.UNSHARE, what, new long[] {flags});
        }
        if (c.creates(NamespaceKind.TIME) && !c.timeOffsets().isEmpty()) {
            StringBuilder offsets = new StringBuilder();
            for (TimeOffset t : c.timeOffsets()) {
                offsets.append(t.clock()).append(' ').append(t.seconds()).append(' ').append(t.nanoseconds()).append('\n');
            }
            b.add(OpCode.WRITE_FILE, "linux.timeOffsets", new long[] {0}, "/proc/self/timens_offsets", offsets.toString());
        }
        b.add(OpCode.CLONE_INIT, "", new long[] {0});
    }

    private static boolean mapsZero(List<IdMapping> maps) {
        return maps.stream().anyMatch(m -> m.containerId() == 0);
    }

    /**
     * Idmapped mounts are made first, while the stub is still in the host's namespaces:
     * a detached copy of each source, idmapped with a user namespace made for its
     * mapping, which the rootfs setup later attaches. Returns each one's handle.
     */
    private static Map<MountEntry, Integer> idmappedTrees(ContainerConfig c, Plan.Builder b, int firstHandle) {
        Map<MountEntry, Integer> trees = new java.util.IdentityHashMap<>();
        int handles = firstHandle;
        for (MountEntry m : c.mounts()) {
            if (m.idmap() == null) {
                continue;
            }
            boolean own = !m.idmap().uids().isEmpty();
            List<IdMapping> uids = own ? m.idmap().uids() : c.uidMappings();
            List<IdMapping> gids = own ? m.idmap().gids() : c.gidMappings();
            List<Long> ints = new ArrayList<>(List.of((long) uids.size(), (long) gids.size()));
            for (IdMapping map : uids) {
                ints.addAll(List.of(map.containerId(), map.hostId(), map.size()));
            }
            for (IdMapping map : gids) {
                ints.addAll(List.of(map.containerId(), map.hostId(), map.size()));
            }
            b.add(OpCode.USERNS_FD, m.origin(), longs(ints));
            int userns = handles++;
            b.add(OpCode.OPEN_TREE, m.origin(), new long[] {m.recursive() ? 1 : 0, userns, m.idmap().recursive() ? 1 : 0},
                    m.source());
            trees.put(m, handles++);
        }
        return trees;
    }

    /**
     * The rootfs and the config's mounts. With a mount namespace of the container's own
     * (new or joined) they are made there and the root is pivoted. Without one the
     * container inherits the runtime's (config-linux.md#namespaces): everything is made
     * there, on a bind of the rootfs onto itself that `delete` detaches (see
     * {@link RuntimeNsMounts}), and the init chroots; neither the host's "/" nor the
     * rootfs's parent mount is touched, and the host's root is never pivoted or moved.
     */
    private void rootfs(ContainerConfig c, Plan.Builder b, Map<MountEntry, Integer> trees, HookPoints hooks) {
        String rootfs = c.rootfs().toString();
        boolean ownNamespace = c.namespace(NamespaceKind.MOUNT) != null;
        long rootFlags = c.rootPropagation() != 0 ? c.rootPropagation() : MS_SLAVE | MS_REC;
        if (ownNamespace) {
            b.add(OpCode.MOUNT, "linux.rootfsPropagation", new long[] {rootFlags}, "", "/", "", "");
            // pivot_root refuses a new root whose parent mount is shared, and a bind under a
            // shared parent would show up on the host: the parent becomes private (a slave
            // when the config asks for slave propagation), as runc makes it
            HostView.MountInfo parent = mountOf(rootfs);
            if (parent != null) {
                b.add(OpCode.MOUNT, "root.path", new long[] {(rootFlags & MS_SLAVE) != 0 && c.rootPropagation() != 0
                        ? MS_SLAVE : MS_PRIVATE}, "", parent.mountPoint(), "", "");
            }
        }
        b.add(OpCode.MOUNT, "root.path", new long[] {MS_BIND | MS_REC}, rootfs, rootfs, "", "");
        if (!ownNamespace) {
            // a bind of a shared mount is its peer: what is later mounted on it would appear
            // wherever that mount is. As a slave it still sees the host's mounts, sends none
            b.add(OpCode.MOUNT, "root.path", new long[] {MS_SLAVE | MS_REC}, "", rootfs, "", "");
        }
        b.add(OpCode.OPEN_ROOT, "root.path", rootfs);
        boolean devIsBind = false;
        MountEntry readonlyDev = null;
        for (MountEntry m : c.mounts()) {
            mount(c, m, b, trees.get(m));
            devIsBind |= m.bind() && m.destination().equals("/dev");
            if (isReadonlyTmpfs(m) && m.destination().equals("/dev")) {
                readonlyDev = m;
            }
        }
        if (!devIsBind) {
            devices(c, b);
        }
        if (readonlyDev != null) {
            // a read-only /dev gets its nodes first, like runc's finalizeRootfs
            b.add(OpCode.MOUNT_IN_ROOT, readonlyDev.origin(), new long[] {MS_BIND | MS_REMOUNT | readonlyDev.flags()},
                    "", "/dev", "", "");
        }
        // a missing working directory is made (owned by root, 0755), as runc makes it
        b.add(OpCode.MKDIR_IN_ROOT, "process.cwd", new long[] {DIR_MODE}, c.process().cwd());
        if (hooks.parentBeforePivot()) {
            b.add(OpCode.SYNC, "hooks", new long[] {SyncPoint.BEFORE_PIVOT.id()});
        }
        hooks.initBeforePivot(rootfs).forEach(b::add);
        if (!ownNamespace) {
            b.add(OpCode.CHROOT, "root.path", rootfs);
            if (c.rootPropagation() != 0) {
                // "/" is now the rootfs bind, the container's own mount
                b.add(OpCode.MOUNT, "linux.rootfsPropagation", new long[] {c.rootPropagation()}, "", "/", "", "");
            }
            return;
        }
        if (c.noPivot()) {
            b.add(OpCode.MOVE_ROOT, "--no-pivot", rootfs);
        } else {
            b.add(OpCode.PIVOT_ROOT, "root.path", rootfs);
        }
        if ((c.rootPropagation() & (MS_SHARED | MS_UNBINDABLE)) != 0) {
            // a shared or unbindable "/" can only be made once it is "/": before the pivot
            // it would have been the host's root (runc >= 1.3.1 does the same)
            b.add(OpCode.MOUNT, "linux.rootfsPropagation", new long[] {c.rootPropagation()}, "", "/", "", "");
        }
    }

    /**
     * runc mounts a read-only tmpfs writable and then bind-remounts it read-only, so its
     * superblock stays writable (the form a later remount or tmpcopyup expects).
     */
    private static boolean isReadonlyTmpfs(MountEntry m) {
        return !m.bind() && m.type().equals("tmpfs") && (m.flags() & MS_RDONLY) != 0;
    }

    private HostView.MountInfo mountOf(String path) {
        HostView.MountInfo best = null;
        for (HostView.MountInfo m : host.mounts()) {
            String mp = m.mountPoint();
            boolean contains = path.equals(mp) || mp.equals("/") || path.startsWith(mp + "/");
            if (contains && (best == null || mp.length() >= best.mountPoint().length())) {
                best = m;
            }
        }
        return best;
    }

    /** @param tree the handle of the detached idmapped copy of the source, or null */
    private void mount(ContainerConfig c, MountEntry m, Plan.Builder b, Integer tree) {
        String dest = m.destination();
        if (m.type().equals("cgroup") && !m.bind()) {
            new CgroupMountPlanner(host, cgroupPaths).plan(c, m, b);
            return;
        }
        if (m.type().equals("sysfs") && !m.bind() && c.namespace(NamespaceKind.USER) != null
                && !c.creates(NamespaceKind.NETWORK)) {
            // only the owner of the network namespace may mount sysfs: bind the host's, as crun does
            b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {DIR_MODE}, dest);
            b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_BIND | MS_REC}, "/sys", dest, "", "");
            keepBindHere(c, m, b);
            if (m.flags() != 0) {
                b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_BIND | MS_REMOUNT | m.flags()}, "", dest, "", "");
            }
        } else if (m.bind()) {
            if (host.isDirectory(m.source())) {
                b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {DIR_MODE}, dest);
            } else {
                b.add(OpCode.MKFILE_IN_ROOT, m.origin(), new long[] {FILE_MODE}, dest);
            }
            if (tree != null) {
                b.add(OpCode.MOVE_MOUNT_IN_ROOT, m.origin(), new long[] {tree}, dest);
            } else {
                b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_BIND | (m.recursive() ? MS_REC : 0)},
                        m.source(), dest, "", "");
            }
            keepBindHere(c, m, b);
            if (m.flags() != 0) {
                // bind(2) ignores the other flags: they take a remount
                b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_BIND | MS_REMOUNT | m.flags()}, "", dest, "", "");
            }
        } else if (isReadonlyTmpfs(m)) {
            b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {DIR_MODE}, dest);
            b.add(m.copyUp() ? OpCode.COPY_UP_IN_ROOT : OpCode.MOUNT_IN_ROOT, m.origin(),
                    new long[] {m.flags() & ~MS_RDONLY}, m.source(), dest, m.type(), m.data());
            if (!dest.equals("/dev")) {
                b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_BIND | MS_REMOUNT | m.flags()}, "", dest, "", "");
            }
        } else {
            b.add(OpCode.MKDIR_IN_ROOT, m.origin(), new long[] {DIR_MODE}, dest);
            b.add(m.copyUp() ? OpCode.COPY_UP_IN_ROOT : OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {m.flags()},
                    m.source(), dest, m.type(), m.data());
        }
        for (long p : m.propagation()) {
            b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {p}, "", dest, "", "");
        }
        if (m.recursiveAttrSet() != 0 || m.recursiveAttrClr() != 0) {
            b.add(OpCode.SETATTR_IN_ROOT, m.origin(), new long[] {m.recursiveAttrSet(), m.recursiveAttrClr(), 0, 1}, dest, "");
        }
    }

    /**
     * In the runtime's mount namespace a bind of a shared host mount joins its peer
     * group, and a mount later made on the bind (a nested mount of the config) would
     * show up at the source on the host: the bind becomes a slave. In a namespace of
     * the container's own, "/" went slave first and the binds are slaves already.
     */
    private static void keepBindHere(ContainerConfig c, MountEntry m, Plan.Builder b) {
        if (c.namespace(NamespaceKind.MOUNT) == null) {
            b.add(OpCode.MOUNT_IN_ROOT, m.origin(), new long[] {MS_SLAVE | MS_REC}, "", m.destination(), "", "");
        }
    }

    private void devices(ContainerConfig c, Plan.Builder b) {
        Map<String, DeviceNode> nodes = new LinkedHashMap<>();
        for (DeviceNode d : defaultDevices()) {
            nodes.put(d.path(), d);
        }
        for (DeviceNode d : c.devices()) {
            nodes.put(d.path(), d);
        }
        boolean inUserNs = c.creates(NamespaceKind.USER) || c.namespace(NamespaceKind.USER) != null;
        for (DeviceNode d : nodes.values()) {
            if (inUserNs) {
                // mknod is refused in a user namespace: bind the host's node instead
                b.add(OpCode.MKFILE_IN_ROOT, d.origin(), new long[] {FILE_MODE}, d.path());
                b.add(OpCode.MOUNT_IN_ROOT, d.origin(), new long[] {MS_BIND}, d.path(), d.path(), "", "");
            } else {
                long type = switch (d.type()) {
                    case 'b' -> S_IFBLK;
                    case 'p' -> S_IFIFO;
                    default -> S_IFCHR;
                };
                b.add(OpCode.MKNOD_IN_ROOT, d.origin(),
                        new long[] {type | (d.mode() & 07777), d.major(), d.minor(), d.uid(), d.gid()}, d.path());
            }
        }
        Map<String, String> links = new LinkedHashMap<>();
        links.put("/dev/fd", "/proc/self/fd");
        links.put("/dev/stdin", "/proc/self/fd/0");
        links.put("/dev/stdout", "/proc/self/fd/1");
        links.put("/dev/stderr", "/proc/self/fd/2");
        links.put("/dev/ptmx", "pts/ptmx");
        if (host.exists("/proc/kcore")) {
            links.put("/dev/core", "/proc/kcore");
        }
        links.forEach((link, target) -> b.add(OpCode.SYMLINK_IN_ROOT, "default link " + link, target, link));
    }

    /** The process part of a plan (terminal .. execve); exec plans reuse it (ExecLauncher). */
    void process(ContainerConfig c, Plan.Builder b, HookPoints hooks, boolean waitForStart) {
        ProcessConfig p = c.process();
        if (p.keyring() != null) {
            // as runc's inits: first, before the identity changes and any seccomp filter
            // (default profiles refuse keyctl)
            b.add(OpCode.JOIN_SESSION_KEYRING, "session keyring", new long[] {p.keyring().addPermissions()},
                    p.keyring().name());
        }
        if (p.console() != null) {
            // after the pivot, so the pty is one of the container's own devpts
            b.add(OpCode.CONSOLE, "process.terminal", new long[] {p.uid(), p.gid(), p.console().rows(), p.console().cols()},
                    "/dev/ptmx");
        }
        for (Rlimit r : p.rlimits()) {
            b.add(OpCode.SETRLIMIT, r.origin(), new long[] {r.resource(), r.soft(), r.hard()});
        }
        if (p.personality() != null) {
            b.add(OpCode.PERSONALITY, "linux.personality", new long[] {p.personality()});
        }
        if (p.scheduler() != null) {
            Scheduler s = p.scheduler();
            b.add(OpCode.SCHED_SETATTR, "process.scheduler",
                    new long[] {s.policy(), s.flags(), s.nice(), s.priority(), s.runtime(), s.deadline(), s.period()});
        }
        if (p.ioPriority() != null) {
            b.add(OpCode.IOPRIO_SET, "process.ioPriority", new long[] {p.ioPriority()});
        }
        b.add(OpCode.CHDIR, "process.cwd", p.cwd());
        b.add(OpCode.CLOSE_FDS, "", new long[] {3 + c.keepFds()});
        Capabilities caps = p.capabilities();
        // Loading a filter takes no_new_privs or CAP_SYS_ADMIN. When the final process
        // has either, the filter comes last, so the runtime's own calls escape it; else
        // it must come while the init is still privileged, before the uid and
        // capability changes (runc does the same, keyed on no_new_privs).
        SeccompFilter seccomp = p.seccomp();
        boolean seccompLast = p.noNewPrivileges() || has(caps.effective(), Capability.CAP_SYS_ADMIN.number());
        // Landlock needs the same (no_new_privs or CAP_SYS_ADMIN) and comes just before the
        // filters; when early, the exec fifo (opened later, on the host) gets a rule of its own
        boolean waitAfterSeccomp = seccomp != null && seccompLast && seccomp.listener();
        if (p.landlock() != null && !seccompLast) {
            LandlockOps.of(p.landlock(), waitForStart ? 0 : -1).forEach(b::add);
        }
        if (seccomp != null && !seccompLast) {
            b.add(seccompLoad(seccomp));
        }
        // the supervisor's filter comes after the OCI one (the kernel runs both, the
        // stricter answer wins) and as late as the privileges allow: the init's own
        // calls from here to execve wait for the supervisor's answer
        if (p.tracer() != null && !seccompLast) {
            tracerLoad(b, p.tracer());
        }
        if (p.supervisor() != null && !seccompLast) {
            b.add(supervisorLoad(p.supervisor()));
        }
        List<Long> drop = new ArrayList<>();
        for (int cap = 0; cap <= host.lastCapability(); cap++) {
            if (!has(caps.bounding(), cap)) {
                drop.add((long) cap);
            }
        }
        b.add(OpCode.CAPBSET_DROP, "process.capabilities.bounding", longs(drop));
        b.add(OpCode.PRCTL, "", new long[] {PR_SET_KEEPCAPS, 1, 0, 0, 0});
        b.add(OpCode.SETGROUPS, "process.user.additionalGids", longs(p.additionalGids()));
        b.add(OpCode.SETRESGID, "process.user.gid", new long[] {p.gid()});
        b.add(OpCode.SETRESUID, "process.user.uid", new long[] {p.uid()});
        b.add(OpCode.PRCTL, "", new long[] {PR_SET_KEEPCAPS, 0, 0, 0, 0});
        if (p.umask() != null) {
            b.add(OpCode.UMASK, "process.user.umask", new long[] {p.umask()});
        }
        b.add(OpCode.CAPSET, "process.capabilities", new long[] {caps.effective(), caps.permitted(), caps.inheritable()});
        List<Long> ambient = new ArrayList<>();
        for (int cap = 0; cap < 64; cap++) {
            if (has(caps.ambient(), cap)) {
                ambient.add((long) cap);
            }
        }
        if (!ambient.isEmpty()) {
            b.add(OpCode.AMBIENT_RAISE, "process.capabilities.ambient", longs(ambient));
        }
        if (p.noNewPrivileges()) {
            b.add(OpCode.PRCTL, "process.noNewPrivileges", new long[] {PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0});
        }
        if (p.cpuAffinity() != null && !p.cpuAffinity().last().isEmpty()) {
            b.add(OpCode.SETAFFINITY, "process.execCPUAffinity.final", longs(p.cpuAffinity().last()));
        }
        // A listener must reach its agent during create; any other filter waits until
        // after the fifo, so the profile never sees the runtime's own calls.
        // The supervisor's listener too goes out during create (to the supervisor daemon);
        // the init's wait for `start` then passes through it (NotifySupervisor lets that
        // one open of the exec fifo through).
        boolean supervisorBeforeWait = waitForStart && p.supervisor() != null && seccompLast;
        // The seize too: under create the process that answers the TRACE sync is gone after
        // the wait (the supervisor daemon traces, and `create` relays the sync to it)
        boolean tracerBeforeWait = waitForStart && p.tracer() != null && seccompLast;
        if (tracerBeforeWait) {
            tracerLoad(b, p.tracer());
        }
        if (supervisorBeforeWait) {
            b.add(supervisorLoad(p.supervisor()));
        }
        if (waitForStart && !waitAfterSeccomp) {
            waitForStart(b, p);
        } else if (!waitForStart) {
            // where create would wait for `start`: the parent records the container (a foreground
            // run's state and pid file) before any of its own code runs, as runc's run does
            b.add(OpCode.SYNC, "", new long[] {SyncPoint.READY.id()});
        }
        if (p.landlock() != null && seccompLast) {
            LandlockOps.of(p.landlock(), waitForStart && waitAfterSeccomp ? 0 : -1).forEach(b::add);
        }
        if (seccomp != null && seccompLast) {
            b.add(seccompLoad(seccomp));
        }
        if (p.tracer() != null && seccompLast && !tracerBeforeWait) {
            tracerLoad(b, p.tracer());
        }
        if (p.supervisor() != null && seccompLast && !supervisorBeforeWait) {
            b.add(supervisorLoad(p.supervisor()));
        }
        if (waitForStart && waitAfterSeccomp) {
            waitForStart(b, p);
        }
        hooks.initBeforeExec().forEach(b::add);
        List<String> exec = new ArrayList<>();
        exec.add(p.args().getFirst());
        exec.addAll(p.args());
        exec.addAll(p.env());
        // HOME, when the env has none, comes from the container's /etc/passwd as runc does
        b.add(OpCode.EXECVE, "process.args", new long[] {p.args().size(), p.uid()}, exec.toArray(String[]::new));
    }

    /** The exec fifo is always handle 0 (opened first). */
    private static void waitForStart(Plan.Builder b, ProcessConfig p) {
        // as runc: a missing or non-executable program fails create, not the later start
        String path = p.env().stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).reduce((x, y) -> y)
                .orElse("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        b.add(OpCode.CHECK_EXEC, "process.args", p.args().getFirst(), path);
        b.add(OpCode.SYNC, "", new long[] {SyncPoint.READY.id()});
        b.add(OpCode.WAIT_FIFO, "exec fifo", new long[] {0});
    }

    private static PlanOp seccompLoad(SeccompFilter f) {
        return new PlanOp(OpCode.SECCOMP_LOAD, new long[] {f.flags(), f.listener() ? 1 : 0}, List.of(f.program()),
                "linux.seccomp");
    }

    /** The origin that tells the supervisor's listener from the OCI filter's. */
    public static final String SUPERVISOR_ORIGIN = "sandbox policy";

    private static PlanOp supervisorLoad(SeccompFilter f) {
        return new PlanOp(OpCode.SECCOMP_LOAD, new long[] {f.flags(), 1}, List.of(f.program()), SUPERVISOR_ORIGIN);
    }

    /**
     * The seize handshake (Syd's, with a SYNC where Syd raises SIGSTOP: the init
     * waits for the ack the same way, and a failed seize aborts the launch with its
     * reason): the parent seizes the init, then the init loads the filter whose
     * SECCOMP_RET_TRACE needs the tracer (without one those calls fail with ENOSYS).
     */
    private static void tracerLoad(Plan.Builder b, SeccompFilter f) {
        b.add(OpCode.SYNC, "sandbox policy", new long[] {SyncPoint.TRACE.id()});
        b.add(new PlanOp(OpCode.SECCOMP_LOAD, new long[] {f.flags(), 0}, List.of(f.program()), TRACER_ORIGIN));
    }

    /** The origin of the tracer's filter load. */
    public static final String TRACER_ORIGIN = "sandbox policy (ptrace)";

    private static boolean has(long mask, int cap) {
        return cap < 64 && (mask & (1L << cap)) != 0;
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
