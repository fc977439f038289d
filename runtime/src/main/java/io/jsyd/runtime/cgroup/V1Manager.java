package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container's cgroups on a v1 host: one directory in every mounted hierarchy
 * (runc joins them all, name=systemd included). On a hybrid host the v2
 * hierarchy beside them gets a directory too, so the container's "0::" path is
 * its own, cgroup.kill works, and controllers only v2 has (hugetlb on some hosts)
 * can be used there.
 */
final class V1Manager implements CgroupManager {
    private static final String HUGETLB = "hugetlb";
    private final CgroupFiles files;
    private final CgroupHost host;
    private final Map<CgroupHost.Hierarchy, Path> dirs;
    private final V2Manager unified;
    private final Resources resources;
    private final CgroupDirs made;

    V1Manager(CgroupFiles files, CgroupHost host, Map<CgroupHost.Hierarchy, Path> dirs, V2Manager unified,
              Resources resources) {
        this.files = files;
        this.host = host;
        this.dirs = new LinkedHashMap<>(dirs);
        this.unified = unified;
        this.resources = resources;
        this.made = new CgroupDirs(files);
    }

    /** True when hugetlb limits go to the v2 hierarchy because no v1 hierarchy has the controller. */
    static boolean hugetlbInUnified(CgroupHost host, Set<String> unifiedControllers) {
        return host.hierarchyOf(HUGETLB) == null && unifiedControllers.contains(HUGETLB);
    }

    /** Refuses what the host cannot do before anything is made. */
    static void check(CgroupFiles files, CgroupHost host, Resources r) {
        if (!r.unified().isEmpty()) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + "unified: these are cgroup v2 files, and this host"
                    + " runs its controllers on cgroup v1");
        }
        Set<String> inUnified = host.unified() == null ? Set.of()
                : V2Manager.available(files, host.unified().mountPoint());
        for (String c : V1Resources.controllers(r)) {
            if (host.hierarchyOf(c) == null && !(c.equals(HUGETLB) && inUnified.contains(HUGETLB))) {
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + V2Manager.fieldOf(c) + ": the " + c
                        + " controller is not mounted on this host (no cgroup v1 hierarchy has it"
                        + (host.unified() != null ? ", nor the cgroup v2 one" : "") + ")");
            }
        }
    }

    private Path dirOf(String controller) {
        CgroupHost.Hierarchy h = host.hierarchyOf(controller);
        return h == null ? null : dirs.get(h);
    }

    @Override
    public void create() {
        check(files, host, resources);
        try {
            for (Map.Entry<CgroupHost.Hierarchy, Path> e : dirs.entrySet()) {
                boolean cpuset = e.getKey().has("cpuset");
                made.make(e.getKey().mountPoint(), e.getValue(), new CgroupDirs.Levels() {
                    @Override
                    public void made(Path dir, Path parent) {
                        if (cpuset) {
                            new V1Resources(files).cpusetInherit(dir, parent);
                        }
                    }
                });
            }
            boolean hugetlbV2 = unified != null && hugetlbInUnified(host, V2Manager.available(files, host.unified().mountPoint()))
                    && !resources.hugepageLimits().isEmpty();
            if (unified != null) {
                unified.make(hugetlbV2 ? Set.of(HUGETLB) : Set.of());
            }
            set(resources);
        } catch (RuntimeException e) {
            try {
                destroy();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void set(Resources r) {
        new V1Resources(files).apply(this::dirOf, r);
        if (!r.hugepageLimits().isEmpty() && dirOf(HUGETLB) == null && unified != null) {
            V2Resources.hugetlb(files, unified.dir(), r);
        }
    }

    @Override
    public void join(int pid) {
        for (Path dir : dirs.values()) {
            files.write(dir, "cgroup.procs", Integer.toString(pid), "");
        }
        if (unified != null) {
            unified.join(pid);
        }
    }

    @Override
    public void update(Resources r) {
        check(files, host, r);
        set(r);
    }

    private Path freezer() {
        Path dir = dirOf("freezer");
        if (dir == null) {
            throw new CgroupException("this host has no freezer cgroup hierarchy: cannot pause or resume");
        }
        return dir;
    }

    /*
     * A write of FROZEN can leave the cgroup FREEZING for ever when a process
     * forks at the wrong moment; as runc does, keep writing, and now and then thaw
     * and start over.
     */
    @Override
    public void freeze() {
        Path dir = freezer();
        boolean ok = false;
        try {
            for (int i = 0; i < 1000; i++) {
                if (i % 50 == 49) {
                    files.write(dir, "freezer.state", "THAWED", "");
                    CgroupDirs.sleep(10);
                }
                files.write(dir, "freezer.state", "FROZEN", "");
                String state = files.read(dir, "freezer.state").strip();
                if (state.equals("FROZEN")) {
                    ok = true;
                    return;
                }
                if (!state.equals("FREEZING")) {
                    throw new CgroupException("freezing " + dir + ": unexpected freezer.state " + state);
                }
                if (i % 25 == 24) {
                    CgroupDirs.sleep(1);
                }
            }
            throw new CgroupException("cannot freeze " + dir + ": it stayed FREEZING");
        } finally {
            if (!ok) {
                try {
                    files.write(dir, "freezer.state", "THAWED", "");
                } catch (CgroupException e) {
                    // the first failure is the one to report
                }
            }
        }
    }

    @Override
    public void thaw() {
        files.write(freezer(), "freezer.state", "THAWED", "");
    }

    @Override
    public FreezerState freezerState() {
        Path dir = dirOf("freezer");
        if (dir == null) {
            return FreezerState.UNDEFINED;
        }
        for (int i = 0; i < 1000; i++) {
            String s = files.readIfExists(dir, "freezer.state");
            if (s == null) {
                return FreezerState.UNDEFINED;
            }
            switch (s.strip()) {
                case "THAWED":
                    return FreezerState.THAWED;
                case "FROZEN":
                    // frozen because a parent is: the container itself was not paused
                    String self = files.readIfExists(dir, "freezer.self_freezing");
                    return self != null && self.strip().equals("0") ? FreezerState.THAWED : FreezerState.FROZEN;
                default:
                    CgroupDirs.sleep(1);
            }
        }
        throw new CgroupException("freezer of " + dir + " stayed FREEZING");
    }

    @Override
    public List<Integer> pids() {
        for (String c : List.of("freezer", "devices", "pids", "memory", "name=systemd")) {
            Path dir = dirOf(c);
            if (dir != null) {
                return files.allProcs(dir);
            }
        }
        return dirs.isEmpty() ? List.of() : files.allProcs(dirs.values().iterator().next());
    }

    @Override
    public Stats stats() {
        return new V1Stats(files, host.hugePageSizes()).stats(this::dirOf, unified == null ? null : unified.dir());
    }

    @Override
    public long oomKillCount() {
        Path dir = dirOf("memory");
        return dir == null ? 0 : files.keyValues(dir, "memory.oom_control").getOrDefault("oom_kill", 0L);
    }

    @Override
    public OomWatch watchOom() {
        Path dir = dirOf("memory");
        if (dir == null) {
            throw new CgroupException("this host has no memory cgroup hierarchy: no OOM events");
        }
        return OomWatches.v1(files, dir);
    }

    /** With the v2 hierarchy beside: cgroup.kill; otherwise freeze, signal each, thaw (no process forks in between). */
    @Override
    public void signalAll(int signal) {
        if (signal == LinuxConstants.SIGKILL && unified != null && files.exists(unified.dir(), "cgroup.kill")) {
            unified.signalAll(signal);
            return;
        }
        boolean frozen = false;
        if (dirOf("freezer") != null) {
            try {
                freeze();
                frozen = true;
            } catch (CgroupException e) {
                // signal them anyway
            }
        }
        try {
            for (int pid : pids()) {
                Processes.signalIfAlive(pid, signal);
            }
        } finally {
            if (frozen) {
                thaw();
            }
        }
    }

    @Override
    public void destroy() {
        if (dirs.values().stream().anyMatch(d -> files.fs().exists(d))) {
            V2Manager.killStragglers(this);
        }
        CgroupException failure = null;
        try {
            made.remove(new ArrayList<>(dirs.values()));
        } catch (CgroupException e) {
            failure = e;
        }
        if (unified != null) {
            try {
                unified.destroy();
            } catch (CgroupException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public Map<String, Path> paths() {
        Map<String, Path> m = new LinkedHashMap<>();
        dirs.forEach((h, d) -> h.controllers().stream().sorted().forEach(c -> m.put(c, d)));
        if (unified != null) {
            m.put("", unified.dir());
        }
        return m;
    }
}
