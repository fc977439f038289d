package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A container's cgroup in the cgroup v2 hierarchy (runc's fs2). */
final class V2Manager implements CgroupManager {
    private final CgroupFiles files;
    private final Path mount;
    private final Path dir;
    private final Resources resources;
    private final List<String> hugePageSizes;
    private final CgroupDirs dirs;

    V2Manager(CgroupFiles files, Path mount, Path dir, Resources resources, List<String> hugePageSizes) {
        this.files = files;
        this.mount = mount;
        this.dir = dir;
        this.resources = resources;
        this.hugePageSizes = List.copyOf(hugePageSizes);
        this.dirs = new CgroupDirs(files);
    }

    Path dir() {
        return dir;
    }

    /** The controllers the hierarchy offers (its root's cgroup.controllers). */
    static Set<String> available(CgroupFiles files, Path mount) {
        String s = files.readIfExists(mount, "cgroup.controllers");
        return s == null ? Set.of() : new LinkedHashSet<>(Arrays.asList(s.strip().split("\\s+")));
    }

    /** Refuses fields v2 lacks and controllers the hierarchy lacks, before anything is made. */
    static void check(CgroupFiles files, Path mount, Resources r) {
        String bad = V2Resources.unsupported(r);
        if (bad != null) {
            throw new CgroupException(CgroupFiles.FIELD_PREFIX + bad);
        }
        Set<String> available = available(files, mount);
        for (String c : V2Resources.controllers(r)) {
            if (!available.contains(c)) {
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + fieldOf(c) + ": the " + c
                        + " controller is not available in the cgroup v2 hierarchy at " + mount
                        + " (it has: " + (available.isEmpty() ? "none" : String.join(" ", available)) + ")");
            }
        }
    }

    static String fieldOf(String controller) {
        return switch (controller) {
            case "pids" -> "pids";
            case "memory" -> "memory";
            case "io", "blkio" -> "blockIO";
            case "cpu", "cpuset" -> "cpu";
            case "hugetlb" -> "hugepageLimits";
            case "rdma" -> "rdma";
            case "devices" -> "devices";
            case "net_cls", "net_prio" -> "network";
            default -> controller;
        };
    }

    @Override
    public void create() {
        check(files, mount, resources);
        Set<String> wanted = available(files, mount);
        try {
            make(wanted);
            new V2Resources(files).apply(dir, resources, wanted);
        } catch (RuntimeException e) {
            try {
                dirs.remove(List.of(dir));
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Makes the directory with {@code enable} switched on for it in every parent, as
     * runc does with all the hierarchy offers (so update can add limits later).
     */
    void make(Set<String> enable) {
        dirs.make(mount, dir, new CgroupDirs.Levels() {
            @Override
            public void beforeChild(Path parent) {
                enable(parent, enable);
            }
        });
        Set<String> have = available(files, dir);
        for (String c : V2Resources.controllers(resources)) {
            if (!have.contains(c)) {
                throw new CgroupException(CgroupFiles.FIELD_PREFIX + fieldOf(c) + ": the " + c
                        + " controller could not be enabled for " + dir
                        + " (a parent cgroup with processes in it cannot pass controllers down)");
            }
        }
    }

    private void enable(Path parent, Set<String> controllers) {
        String current = files.readIfExists(parent, "cgroup.subtree_control");
        Set<String> on = current == null ? Set.of() : Set.of(current.strip().split("\\s+"));
        List<String> missing = controllers.stream().filter(c -> !on.contains(c)).map(c -> "+" + c).toList();
        if (missing.isEmpty()) {
            return;
        }
        try {
            files.fs().write(parent.resolve("cgroup.subtree_control"), String.join(" ", missing));
        } catch (io.jsyd.runtime.SyscallException e) {
            // one by one: what cannot be enabled is reported once a resource needs it
            for (String m : missing) {
                try {
                    files.fs().write(parent.resolve("cgroup.subtree_control"), m);
                } catch (io.jsyd.runtime.SyscallException ignored) {
                    // checked in make()
                }
            }
        }
    }

    @Override
    public void join(int pid) {
        files.write(dir, "cgroup.procs", Integer.toString(pid), "");
    }

    @Override
    public void update(Resources r) {
        check(files, mount, r);
        new V2Resources(files).apply(dir, r, available(files, dir));
    }

    @Override
    public void freeze() {
        if (!files.exists(dir, "cgroup.freeze")) {
            throw new CgroupException("cannot freeze " + dir + ": the kernel has no cgroup.freeze (Linux 5.2+)");
        }
        files.write(dir, "cgroup.freeze", "1", "");
        for (int i = 0; i < 1000; i++) {
            if (frozen()) {
                return;
            }
            CgroupDirs.sleep(10);
        }
        files.write(dir, "cgroup.freeze", "0", "");
        throw new CgroupException("cannot freeze " + dir + ": its processes did not stop within 10 seconds");
    }

    private boolean frozen() {
        return files.keyValues(dir, "cgroup.events").getOrDefault("frozen", 0L) == 1;
    }

    @Override
    public void thaw() {
        if (files.exists(dir, "cgroup.freeze")) {
            files.write(dir, "cgroup.freeze", "0", "");
        }
    }

    @Override
    public FreezerState freezerState() {
        String s = files.readIfExists(dir, "cgroup.freeze");
        if (s == null) {
            return FreezerState.UNDEFINED;
        }
        return s.strip().equals("1") && frozen() ? FreezerState.FROZEN : FreezerState.THAWED;
    }

    @Override
    public List<Integer> pids() {
        return files.allProcs(dir);
    }

    @Override
    public Stats stats() {
        return new V2Stats(files, hugePageSizes).stats(dir);
    }

    @Override
    public long oomKillCount() {
        return files.keyValues(dir, "memory.events").getOrDefault("oom_kill", 0L);
    }

    @Override
    public OomWatch watchOom() {
        return OomWatches.v2(files, dir);
    }

    @Override
    public void signalAll(int signal) {
        if (signal == LinuxConstants.SIGKILL && files.exists(dir, "cgroup.kill")) {
            files.write(dir, "cgroup.kill", "1", "");
            return;
        }
        for (int pid : pids()) {
            Processes.signalIfAlive(pid, signal);
        }
    }

    @Override
    public void destroy() {
        if (files.fs().exists(dir)) {
            killStragglers(this);
        }
        dirs.remove(List.of(dir));
    }

    /** SIGKILL for what is left, and a short wait for it to be gone. */
    static void killStragglers(CgroupManager m) {
        List<Integer> left = new ArrayList<>(m.pids());
        if (left.isEmpty()) {
            return;
        }
        m.signalAll((int) LinuxConstants.SIGKILL);
        for (int i = 0; i < 100 && !m.pids().isEmpty(); i++) {
            CgroupDirs.sleep(10);
        }
    }

    @Override
    public Map<String, Path> paths() {
        return Map.of("", dir);
    }
}
