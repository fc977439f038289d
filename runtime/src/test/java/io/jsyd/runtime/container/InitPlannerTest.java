package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Plans against a made-up host: order and content of ops, without root. */
class InitPlannerTest {
    private static HostView host(List<HostView.MountInfo> mounts, int lastCap) {
        return new HostView() {
            @Override
            public boolean isDirectory(String hostPath) {
                return !hostPath.endsWith(".file");
            }

            @Override
            public boolean exists(String hostPath) {
                return false;
            }

            @Override
            public List<MountInfo> mounts() {
                return mounts;
            }

            @Override
            public int lastCapability() {
                return lastCap;
            }
        };
    }

    private static ContainerConfig config(List<Namespace> ns, List<MountEntry> mounts, long bounding) {
        ProcessConfig p = new ProcessConfig(List.of("sh"), List.of("PATH=/bin"), "/", 1000, 1000, List.of(10L), null,
                new Capabilities(bounding, 0, 0, 0, 0), List.of(), true, null, null, null, null, null, null, null);
        return new ContainerConfig("c", Path.of("/b/rootfs"), false, ns, List.of(new IdMapping(0, 1000, 1)),
                List.of(new IdMapping(0, 1000, 1)), List.of(), mounts, List.of(), List.of(), List.of(), "", "",
                Map.of(), 0, false, p, 0);
    }

    private static PlanOp first(Plan plan, OpCode code) {
        return plan.ops().stream().filter(o -> o.code() == code).findFirst().orElseThrow();
    }

    @Test
    void theUserNamespaceComesFirstAndItsMapsAreWrittenBeforeTheOthers() {
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(config(List.of(
                new Namespace(NamespaceKind.MOUNT, null, "ns[0]"),
                new Namespace(NamespaceKind.NETWORK, Path.of("/proc/1/ns/net"), "ns[1]"),
                new Namespace(NamespaceKind.USER, null, "ns[2]"),
                new Namespace(NamespaceKind.PID, null, "ns[3]")), List.of(), 0));
        List<OpCode> c = PlanFixture.codes(plan);
        assertEquals(List.of(OpCode.SETNS, OpCode.UNSHARE, OpCode.SYNC, OpCode.SETRESGID, OpCode.SETRESUID,
                OpCode.UNSHARE, OpCode.CLONE_INIT), c.subList(0, 7));
        assertEquals(LinuxConstants.CLONE_NEWUSER, plan.ops().get(1).ints()[0]);
        assertEquals(LinuxConstants.CLONE_NEWNS | LinuxConstants.CLONE_NEWPID, plan.ops().get(5).ints()[0]);
        assertEquals(SyncPoint.USERNS_MAPS.id(), plan.ops().get(2).ints()[0]);
        assertEquals(OpCode.EXECVE, c.getLast());
    }

    @Test
    void everyCapabilityOutsideTheBoundingSetIsDropped() {
        long bounding = (1L << 5) | (1L << 10) | (1L << 29);
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(config(
                List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), bounding));
        long[] expected = LongStream.rangeClosed(0, 40).filter(c -> c != 5 && c != 10 && c != 29).toArray();
        assertEquals(Arrays.toString(expected), Arrays.toString(first(plan, OpCode.CAPBSET_DROP).ints()));
    }

    @Test
    void theHostsLastCapabilityIsReadWhole() throws Exception {
        // an integer sysctl answers a second read with EOF: a byte-wise reader would see "4" for 40
        int expected = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().strip());
        assertEquals(expected, HostView.system().lastCapability());
        assertTrue(expected >= 36, "every kernel since 5.9 knows at least 40 capabilities");
    }

    @Test
    void aBindOfAFileGetsAFileTargetAndItsFlagsAsARemount() {
        MountEntry m = new MountEntry("mounts[0]", "/etc/hosts", "/host/hosts.file", "", true, false,
                LinuxConstants.MS_RDONLY, List.of(LinuxConstants.MS_PRIVATE), 0, 0, "");
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(config(
                List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(m), 0));
        List<PlanOp> ops = plan.ops().stream().filter(o -> o.origin().equals("mounts[0]")).toList();
        assertEquals(List.of(OpCode.MKFILE_IN_ROOT, OpCode.MOUNT_IN_ROOT, OpCode.MOUNT_IN_ROOT, OpCode.MOUNT_IN_ROOT),
                ops.stream().map(PlanOp::code).toList());
        assertEquals(LinuxConstants.MS_BIND, ops.get(1).ints()[0]);
        assertEquals(LinuxConstants.MS_BIND | LinuxConstants.MS_REMOUNT | LinuxConstants.MS_RDONLY, ops.get(2).ints()[0]);
        assertEquals(LinuxConstants.MS_PRIVATE, ops.get(3).ints()[0]);
    }

    @Test
    void aReadOnlyTmpcopyupTmpfsIsFilledWritableThenRemountedReadOnly() {
        MountEntry m = new MountEntry("mounts[0]", "/run", "tmpfs", "tmpfs", false, false,
                LinuxConstants.MS_RDONLY | LinuxConstants.MS_NOSUID, List.of(), 0, 0, "size=1m", null, true);
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(config(
                List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(m), 0));
        List<PlanOp> ops = plan.ops().stream().filter(o -> o.origin().equals("mounts[0]")).toList();
        assertEquals(List.of(OpCode.MKDIR_IN_ROOT, OpCode.COPY_UP_IN_ROOT, OpCode.MOUNT_IN_ROOT),
                ops.stream().map(PlanOp::code).toList());
        assertEquals(LinuxConstants.MS_NOSUID, ops.get(1).ints()[0], "the copy needs a writable tmpfs");
        assertEquals(List.of("tmpfs", "/run", "tmpfs", "size=1m"), ops.get(1).texts());
        assertEquals(LinuxConstants.MS_BIND | LinuxConstants.MS_REMOUNT | LinuxConstants.MS_RDONLY | LinuxConstants.MS_NOSUID,
                ops.get(2).ints()[0]);
    }

    @Test
    void aSharedParentOfTheRootfsIsMadePrivateBeforeThePivot() {
        HostView h = host(List.of(new HostView.MountInfo("/", "ext4", "/dev/vda", "shared:1", "rw"),
                new HostView.MountInfo("/b", "tmpfs", "tmpfs", "shared:5", "rw")), 40);
        Plan plan = new InitPlanner(h).plan(config(List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), 0));
        PlanOp priv = plan.ops().stream().filter(o -> o.code() == OpCode.MOUNT && o.ints()[0] == LinuxConstants.MS_PRIVATE)
                .findFirst().orElseThrow();
        assertEquals("/b", priv.texts().get(1));
    }

    @Test
    void withoutAMountNamespaceTheMountsStayOnARootfsBindAndTheInitChroots() {
        HostView h = host(List.of(new HostView.MountInfo("/", "ext4", "/dev/vda", "shared:1", "rw")), 40);
        MountEntry bind = new MountEntry("mounts[0]", "/data", "/host/data", "", true, true, 0, List.of(), 0, 0, "", null);
        ContainerConfig base = config(List.of(new Namespace(NamespaceKind.PID, null, "ns[0]")), List.of(), 0);
        ContainerConfig c = new ContainerConfig(base.id(), base.rootfs(), false, base.namespaces(), List.of(), List.of(),
                List.of(), List.of(bind), List.of(), List.of(), List.of(), "", "", Map.of(), 0, true, base.process(), 0);
        Plan plan = new InitPlanner(h).plan(c);
        List<OpCode> codes = PlanFixture.codes(plan);
        // the host's root is never pivoted, moved, or given another propagation
        assertTrue(!codes.contains(OpCode.PIVOT_ROOT) && !codes.contains(OpCode.MOVE_ROOT), codes.toString());
        assertTrue(plan.ops().stream().noneMatch(o -> o.code() == OpCode.MOUNT && o.texts().get(1).equals("/")
                && codes.indexOf(OpCode.CHROOT) > plan.ops().indexOf(o)), "no mount of / before the chroot");
        assertEquals(List.of("/b/rootfs"), first(plan, OpCode.CHROOT).texts());
        List<PlanOp> onRootfs = plan.ops().stream().filter(o -> o.code() == OpCode.MOUNT).toList();
        assertEquals(LinuxConstants.MS_BIND | LinuxConstants.MS_REC, onRootfs.get(0).ints()[0]);
        assertEquals(List.of("/b/rootfs", "/b/rootfs"), onRootfs.get(0).texts().subList(0, 2));
        assertEquals(LinuxConstants.MS_SLAVE | LinuxConstants.MS_REC, onRootfs.get(1).ints()[0],
                "the rootfs bind sends no mount to the host");
        assertEquals("/b/rootfs", onRootfs.get(1).texts().get(1));
        int bound = plan.ops().indexOf(plan.ops().stream().filter(o -> o.code() == OpCode.MOUNT_IN_ROOT
                && o.origin().equals("mounts[0]")).findFirst().orElseThrow());
        assertEquals(LinuxConstants.MS_SLAVE | LinuxConstants.MS_REC, plan.ops().get(bound + 1).ints()[0],
                "a bind of a host mount is made a slave before anything is mounted on it");
        assertTrue(codes.indexOf(OpCode.OPEN_ROOT) < bound && bound < codes.indexOf(OpCode.CHROOT));
    }

    @Test
    void aJoinedMountNamespaceGetsTheRootfsAsANewOneDoes() {
        HostView h = host(List.of(new HostView.MountInfo("/", "ext4", "/dev/vda", "", "rw")), 40);
        Plan plan = new InitPlanner(h).plan(config(List.of(
                new Namespace(NamespaceKind.MOUNT, Path.of("/proc/7/ns/mnt"), "ns[0]")), List.of(), 0));
        List<OpCode> codes = PlanFixture.codes(plan);
        assertTrue(codes.indexOf(OpCode.SETNS) < codes.indexOf(OpCode.PIVOT_ROOT), codes.toString());
        assertTrue(!codes.contains(OpCode.CHROOT));
        assertEquals(LinuxConstants.MS_SLAVE | LinuxConstants.MS_REC, first(plan, OpCode.MOUNT).ints()[0],
                "the joined namespace's / goes slave first");
    }

    private static ContainerConfig withMounts(ContainerConfig c, List<MountEntry> mounts, long rootPropagation,
                                              ProcessConfig p) {
        return new ContainerConfig(c.id(), c.rootfs(), false, c.namespaces(), c.uidMappings(), c.gidMappings(),
                List.of(), mounts, List.of(), List.of(), List.of(), "", "", Map.of(), rootPropagation, false, p, 0);
    }

    @Test
    void anIdmappedMountIsMadeDetachedBeforeTheNamespacesAndAttachedInTheRootfs() {
        MountEntry m = new MountEntry("mounts[0]", "/data", "/host/data", "", true, true, 0, List.of(), 0, 0, "",
                new MountEntry.IdMap(true, List.of(), List.of()));
        ContainerConfig base = config(List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]"),
                new Namespace(NamespaceKind.USER, null, "ns[1]")), List.of(), 0);
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(withMounts(base, List.of(m), 0, base.process()));
        List<OpCode> c = PlanFixture.codes(plan);
        assertEquals(List.of(OpCode.USERNS_FD, OpCode.OPEN_TREE, OpCode.UNSHARE), c.subList(0, 3));
        // the container's own mapping (uid 0 -> 1000, one id) for both maps
        assertEquals("[1, 1, 0, 1000, 1, 0, 1000, 1]", Arrays.toString(plan.ops().get(0).ints()));
        assertEquals("[1, 0, 1]", Arrays.toString(plan.ops().get(1).ints()));
        assertEquals("[1]", Arrays.toString(first(plan, OpCode.MOVE_MOUNT_IN_ROOT).ints()));
        assertEquals(List.of("/data"), first(plan, OpCode.MOVE_MOUNT_IN_ROOT).texts());
        assertTrue(plan.ops().stream().noneMatch(o -> o.code() == OpCode.MOUNT_IN_ROOT && o.origin().equals("mounts[0]")
                && (o.ints()[0] & LinuxConstants.MS_BIND) != 0 && (o.ints()[0] & LinuxConstants.MS_REMOUNT) == 0));
    }

    @Test
    void aSharedRootfsPropagationIsSetAgainOnTheContainersRoot() {
        ContainerConfig base = config(List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), 0);
        HostView h = host(List.of(new HostView.MountInfo("/", "ext4", "/dev/vda", "", "rw")), 40);
        Plan shared = new InitPlanner(h).plan(withMounts(base, List.of(), LinuxConstants.MS_SHARED, base.process()));
        List<PlanOp> ops = shared.ops();
        int pivot = PlanFixture.codes(shared).indexOf(OpCode.PIVOT_ROOT);
        assertEquals(List.of("linux.rootfsPropagation", "root.path"), ops.subList(0, pivot).stream()
                .filter(o -> o.code() == OpCode.MOUNT && o.texts().get(1).equals("/")).map(PlanOp::origin).toList());
        int first = PlanFixture.codes(shared).indexOf(OpCode.MOUNT);
        assertEquals(LinuxConstants.MS_SHARED, ops.get(first).ints()[0]);
        assertEquals(LinuxConstants.MS_PRIVATE, ops.get(first + 1).ints()[0], "the rootfs's parent mount goes private");
        assertEquals(LinuxConstants.MS_SHARED, ops.get(pivot + 1).ints()[0]);
        Plan slave = new InitPlanner(h).plan(withMounts(base, List.of(), LinuxConstants.MS_SLAVE, base.process()));
        assertEquals(LinuxConstants.MS_SLAVE, slave.ops().get(PlanFixture.codes(slave).indexOf(OpCode.MOUNT) + 1).ints()[0],
                "a slave rootfs keeps its parent a slave");
        assertEquals(OpCode.MKDIR_IN_ROOT, slave.ops().get(PlanFixture.codes(slave).indexOf(OpCode.PIVOT_ROOT) - 1).code(),
                "the cwd is made right before the pivot");
    }

    @Test
    void aReadOnlyTmpfsIsMountedWritableThenRemountedAsRuncDoes() {
        MountEntry t = new MountEntry("mounts[0]", "/t", "tmpfs", "tmpfs", false, false,
                LinuxConstants.MS_RDONLY | LinuxConstants.MS_NOSUID, List.of(), 0, 0, "size=1m");
        ContainerConfig base = config(List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), 0);
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(withMounts(base, List.of(t), 0, base.process()));
        List<PlanOp> ops = plan.ops().stream().filter(o -> o.origin().equals("mounts[0]")).toList();
        assertEquals(LinuxConstants.MS_NOSUID, ops.get(1).ints()[0]);
        assertEquals(LinuxConstants.MS_BIND | LinuxConstants.MS_REMOUNT | LinuxConstants.MS_RDONLY | LinuxConstants.MS_NOSUID,
                ops.get(2).ints()[0]);
    }

    @Test
    void theTerminalAndTheFinalAffinityComeRightWhereTheProcessNeedsThem() {
        ContainerConfig base = config(List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), 0);
        ProcessConfig p = base.process();
        ProcessConfig q = new ProcessConfig(p.args(), p.env(), p.cwd(), p.uid(), p.gid(), p.additionalGids(), p.umask(),
                p.capabilities(), p.rlimits(), p.noNewPrivileges(), null, null, null, null,
                new CpuAffinity(List.of(2L), List.of(1L)), new Console(24, 80), null);
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(withMounts(base, List.of(), 0, q));
        List<OpCode> c = PlanFixture.codes(plan);
        assertEquals(OpCode.SETAFFINITY, c.getFirst());
        // the READY sync (the parent records a foreground run there) stands between them
        assertEquals(List.of(OpCode.SETAFFINITY, OpCode.SYNC, OpCode.EXECVE), c.subList(c.size() - 3, c.size()));
        PlanOp console = first(plan, OpCode.CONSOLE);
        assertTrue(c.indexOf(OpCode.CONSOLE) > c.indexOf(OpCode.PIVOT_ROOT));
        assertTrue(c.indexOf(OpCode.CONSOLE) < c.indexOf(OpCode.SETRESUID));
        assertEquals("[1000, 1000, 24, 80]", Arrays.toString(console.ints()));
    }

    @Test
    void hookPointsSitRightBeforeThePivotAndRightBeforeTheExec() {
        PlanOp inInit = PlanOp.of(OpCode.RUN_HOOK, "createContainer hook #0 (/h)", new long[] {0, 0}, "/h", "", "{", "}");
        PlanOp atStart = PlanOp.of(OpCode.RUN_HOOK, "startContainer hook #0 (/s)", new long[] {0, 0}, "/s", "", "{", "}");
        String[] rootfsSeen = new String[1];
        HookPoints points = new HookPoints() {
            @Override
            public boolean parentBeforePivot() {
                return true;
            }

            @Override
            public void beforePivot(int initPid) {
            }

            @Override
            public List<PlanOp> initBeforePivot(String rootfs) {
                rootfsSeen[0] = rootfs;
                return List.of(inInit);
            }

            @Override
            public List<PlanOp> initBeforeExec() {
                return List.of(atStart);
            }
        };
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(config(List.of(
                new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), 0), points);
        List<OpCode> c = PlanFixture.codes(plan);
        int pivot = c.indexOf(OpCode.PIVOT_ROOT);
        assertEquals(List.of(OpCode.MKDIR_IN_ROOT, OpCode.SYNC, OpCode.RUN_HOOK, OpCode.PIVOT_ROOT),
                c.subList(pivot - 3, pivot + 1));
        assertEquals(SyncPoint.BEFORE_PIVOT.id(), plan.ops().get(pivot - 2).ints()[0]);
        assertEquals(inInit, plan.ops().get(pivot - 1));
        assertEquals("/b/rootfs", rootfsSeen[0]);
        // last, after every identity change and the seccomp filter, as runc runs startContainer
        assertEquals(List.of(OpCode.RUN_HOOK, OpCode.EXECVE), c.subList(c.size() - 2, c.size()));
        assertEquals(atStart, plan.ops().get(c.size() - 2));
        // without hooks the plan has neither
        Plan none = new InitPlanner(host(List.of(), 40)).plan(config(List.of(
                new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), 0));
        assertTrue(PlanFixture.codes(none).stream().noneMatch(o -> o == OpCode.RUN_HOOK));
        assertTrue(none.ops().stream().noneMatch(o -> o.code() == OpCode.SYNC && o.ints()[0] == SyncPoint.BEFORE_PIVOT.id()));
    }

    @Test
    void underCreateTheSupervisorFilterIsLoadedBeforeTheWaitForStart() {
        ContainerConfig base = config(List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), 0);
        io.jsyd.runtime.seccomp.SeccompFilter filter = new io.jsyd.runtime.seccomp.SeccompFilter(
                new byte[io.jsyd.runtime.seccomp.SeccompConstants.SIZEOF_SOCK_FILTER],
                io.jsyd.runtime.seccomp.SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, true);
        // noNewPrivileges is set: without a wait the filter would come last
        assertTrue(base.process().noNewPrivileges());
        ContainerConfig c = base.withProcess(base.process().withSupervisor(filter));
        Plan plan = new InitPlanner(host(List.of(), 40)).plan(c, HookPoints.NONE, Path.of("/run/x/exec.fifo"));
        List<PlanOp> ops = plan.ops();
        int load = -1;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).code() == OpCode.SECCOMP_LOAD && InitPlanner.SUPERVISOR_ORIGIN.equals(ops.get(i).origin())) {
                load = i;
            }
        }
        // the listener must reach create, which hands it to the supervisor daemon; create is gone at start
        assertTrue(load >= 0 && load < PlanFixture.codes(plan).indexOf(OpCode.SYNC) && load < PlanFixture.codes(plan).indexOf(OpCode.WAIT_FIFO),
                PlanFixture.codes(plan).toString());
        // run (no fifo) keeps it as late as possible: after everything but the exec
        Plan run = new InitPlanner(host(List.of(), 40)).plan(c);
        List<OpCode> r = PlanFixture.codes(run);
        assertEquals(List.of(OpCode.SECCOMP_LOAD, OpCode.EXECVE), r.subList(r.size() - 2, r.size()));
    }
}
