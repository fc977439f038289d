package io.jsyd.runtime.container;

import static io.jsyd.runtime.linux.LinuxConstants.MS_BIND;
import static io.jsyd.runtime.linux.LinuxConstants.MS_NOSUID;
import static io.jsyd.runtime.linux.LinuxConstants.MS_RDONLY;
import static io.jsyd.runtime.linux.LinuxConstants.MS_REC;
import static io.jsyd.runtime.linux.LinuxConstants.MS_REMOUNT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.cgroup.CgroupConfig;
import io.jsyd.runtime.cgroup.CgroupPath;
import io.jsyd.runtime.cgroup.Resources;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a container's cgroup shows up in its plan: the sync point, the namespace, the mounts. */
class CgroupPlanTest {
    private static final List<HostView.MountInfo> HYBRID = List.of(
            new HostView.MountInfo("/sys/fs/cgroup", "tmpfs", "tmpfs", "", "rw,mode=755"),
            new HostView.MountInfo("/sys/fs/cgroup/cpu,cpuacct", "cgroup", "cgroup", "", "rw,cpu,cpuacct"),
            new HostView.MountInfo("/sys/fs/cgroup/memory", "cgroup", "cgroup", "", "rw,memory"),
            new HostView.MountInfo("/sys/fs/cgroup/unified", "cgroup2", "cgroup2", "", "rw"));
    private static final List<HostView.MountInfo> UNIFIED = List.of(
            new HostView.MountInfo("/sys/fs/cgroup", "cgroup2", "cgroup2", "", "rw,nsdelegate"));

    private static ContainerConfig config(boolean cgroupNs, CgroupConfig cgroup) {
        List<Namespace> ns = cgroupNs
                ? List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]"), new Namespace(NamespaceKind.CGROUP, null, "ns[1]"))
                : List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]"));
        ProcessConfig p = new ProcessConfig(List.of("sh"), List.of(), "/", 0, 0, List.of(), null,
                new Capabilities(0, 0, 0, 0, 0), List.of(), false, null, null, null, null, null, null, null);
        List<MountEntry> mounts = List.of(new MountEntry("mounts[0]", "/sys/fs/cgroup", "cgroup", "cgroup", false, false,
                MS_NOSUID | MS_RDONLY, List.of(), 0, 0, ""));
        return new ContainerConfig("c", Path.of("/b/rootfs"), false, ns, List.of(), List.of(), List.of(), mounts,
                List.of(), List.of(), List.of(), "", "", Map.of(), 0, false, p, 0, cgroup);
    }

    private static final CgroupConfig CGROUP = new CgroupConfig(new CgroupPath.Relative("c"), Resources.NONE);

    @Test
    void withACgroupTheInitWaitsForPlacementBeforeTheCgroupNamespaceIsMade() {
        List<PlanOp> ops = new InitPlanner(PlanFixture.host(HYBRID)).plan(config(true, CGROUP)).ops();
        List<OpCode> codes = ops.stream().map(PlanOp::code).toList();
        int clone = codes.indexOf(OpCode.CLONE_INIT);
        int sync = codes.indexOf(OpCode.SYNC);
        int unshare = codes.lastIndexOf(OpCode.UNSHARE);
        assertTrue(clone < sync && sync < unshare, codes.toString());
        assertEquals(SyncPoint.INIT_CREATED.id(), ops.get(sync).ints()[0]);
        assertEquals("linux.cgroupsPath", ops.get(sync).origin());
        assertEquals(LinuxConstants.CLONE_NEWCGROUP, ops.get(unshare).ints()[0]);
        assertTrue(new InitPlanner(PlanFixture.host(HYBRID)).plan(config(true, null)).ops().stream()
                .noneMatch(o -> o.code() == OpCode.SYNC && o.ints()[0] == SyncPoint.INIT_CREATED.id()),
                "no cgroup, no oomScoreAdj: no wait for placement");
    }

    private static List<PlanOp> mountsOf(Plan plan) {
        return plan.ops().stream().filter(o -> o.origin().startsWith("mounts[0]")).toList();
    }

    @Test
    void withoutACgroupNamespaceTheContainersOwnDirectoriesAreBound() {
        Map<String, Path> paths = Map.of("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct/c"), "cpuacct",
                Path.of("/sys/fs/cgroup/cpu,cpuacct/c"), "memory", Path.of("/sys/fs/cgroup/memory/c"), "",
                Path.of("/sys/fs/cgroup/unified/c"));
        List<PlanOp> ops = mountsOf(new InitPlanner(PlanFixture.host(HYBRID), paths).plan(config(false, CGROUP)));
        List<String> binds = ops.stream().filter(o -> o.code() == OpCode.MOUNT_IN_ROOT && o.ints()[0] == (MS_BIND | MS_REC))
                .map(o -> o.texts().get(0) + " -> " + o.texts().get(1)).toList();
        assertEquals(List.of("/sys/fs/cgroup/cpu,cpuacct/c -> /sys/fs/cgroup/cpu,cpuacct",
                "/sys/fs/cgroup/memory/c -> /sys/fs/cgroup/memory", "/sys/fs/cgroup/unified/c -> /sys/fs/cgroup/unified"),
                binds);
        assertTrue(ops.stream().anyMatch(o -> o.code() == OpCode.MOUNT_IN_ROOT
                && o.ints()[0] == (MS_BIND | MS_REMOUNT | MS_NOSUID | MS_RDONLY)), "read-only like the mount asked");
    }

    @Test
    void inACgroupNamespaceTheHierarchiesAreMountedAnew() {
        Map<String, Path> paths = Map.of("memory", Path.of("/sys/fs/cgroup/memory/c"));
        List<PlanOp> ops = mountsOf(new InitPlanner(PlanFixture.host(HYBRID), paths).plan(config(true, CGROUP)));
        assertTrue(ops.stream().noneMatch(o -> o.code() == OpCode.MOUNT_IN_ROOT && (o.ints()[0] & MS_BIND) != 0));
        assertTrue(ops.stream().anyMatch(o -> o.texts().size() > 3 && o.texts().get(3).equals("memory")));
    }

    @Test
    void onAUnifiedHostTheContainersDirectoryIsTheWholeView() {
        List<PlanOp> ops = mountsOf(new InitPlanner(PlanFixture.host(UNIFIED), Map.of("", Path.of("/sys/fs/cgroup/x/c")))
                .plan(config(false, CGROUP)));
        PlanOp bind = ops.stream().filter(o -> o.code() == OpCode.MOUNT_IN_ROOT).findFirst().orElseThrow();
        assertArrayEquals(new long[] {MS_BIND | MS_REC}, bind.ints());
        assertEquals(List.of("/sys/fs/cgroup/x/c", "/sys/fs/cgroup"), bind.texts().subList(0, 2));
        PlanOp fresh = mountsOf(new InitPlanner(PlanFixture.host(UNIFIED), Map.of("", Path.of("/sys/fs/cgroup/x/c")))
                .plan(config(true, CGROUP))).stream().filter(o -> o.code() == OpCode.MOUNT_IN_ROOT).findFirst().orElseThrow();
        assertEquals("cgroup2", fresh.texts().get(2));
    }
}
