package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jsyd.runtime.linux.Capability;
import io.jsyd.runtime.seccomp.SeccompConstants;
import io.jsyd.runtime.seccomp.SeccompFilter;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the plan loads the container's seccomp filter: after everything the runtime does that it may forbid. */
class SeccompPlanTest {
    /** Eight bytes of BPF with NUL bytes in them: "return ALLOW". */
    private static final byte[] PROGRAM = {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f};

    private static final HostView HOST = new HostView() {
        @Override
        public boolean isDirectory(String hostPath) {
            return true;
        }

        @Override
        public boolean exists(String hostPath) {
            return false;
        }

        @Override
        public List<MountInfo> mounts() {
            return List.of();
        }

        @Override
        public int lastCapability() {
            return 40;
        }
    };

    private static Plan plan(boolean noNewPrivileges, long effective, SeccompFilter filter) {
        ProcessConfig p = new ProcessConfig(List.of("sh"), List.of(), "/", 1000, 1000, List.of(), null,
                new Capabilities(effective, effective, effective, 0, 0), List.of(), noNewPrivileges, null, null, null, null, null, null,
                filter);
        return new InitPlanner(HOST).plan(new ContainerConfig("c", Path.of("/b/rootfs"), false,
                List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), "", "", Map.of(), 0, false, p, 0));
    }

    private static List<OpCode> codes(Plan plan) {
        return plan.ops().stream().map(PlanOp::code).toList();
    }

    @Test
    void withNoNewPrivilegesTheFilterIsTheLastStepBeforeExecve() {
        SeccompFilter f = new SeccompFilter(PROGRAM, SeccompConstants.SECCOMP_FILTER_FLAG_LOG, false);
        Plan plan = plan(true, 0, f);
        List<OpCode> c = codes(plan);
        assertEquals(List.of(OpCode.PRCTL, OpCode.SECCOMP_LOAD, OpCode.EXECVE), c.subList(c.size() - 3, c.size()));
        PlanOp load = plan.ops().get(c.size() - 2);
        assertArrayEquals(new long[] {SeccompConstants.SECCOMP_FILTER_FLAG_LOG, 0}, load.ints());
        assertArrayEquals(PROGRAM, load.strings().getFirst());
        assertEquals("linux.seccomp", load.origin());
        // the plan carries the program whole, NUL bytes and all
        byte[] encoded = plan.encode();
        boolean found = false;
        for (int i = 0; i + PROGRAM.length <= encoded.length && !found; i++) {
            found = java.util.Arrays.equals(encoded, i, i + PROGRAM.length, PROGRAM, 0, PROGRAM.length);
        }
        assertEquals(true, found);
    }

    @Test
    void withCapSysAdminTheFilterAlsoComesLast() {
        Plan plan = plan(false, 1L << Capability.CAP_SYS_ADMIN.number(),
                new SeccompFilter(PROGRAM, SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, true));
        List<OpCode> c = codes(plan);
        assertEquals(OpCode.SECCOMP_LOAD, c.get(c.size() - 2));
        assertArrayEquals(new long[] {SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, 1},
                plan.ops().get(c.size() - 2).ints());
    }

    @Test
    void withNeitherTheFilterComesWhileTheInitIsStillPrivileged() {
        List<OpCode> c = codes(plan(false, 1L << Capability.CAP_CHOWN.number(), new SeccompFilter(PROGRAM, 0, false)));
        int load = c.indexOf(OpCode.SECCOMP_LOAD);
        assertEquals(load, c.lastIndexOf(OpCode.SECCOMP_LOAD));
        assertEquals(OpCode.CLOSE_FDS, c.get(load - 1));
        assertEquals(OpCode.CAPBSET_DROP, c.get(load + 1));
        assertEquals(true, load < c.indexOf(OpCode.SETRESUID) && load < c.indexOf(OpCode.CAPSET));
    }

    @Test
    void withoutAFilterNothingIsLoaded() {
        assertFalse(codes(plan(true, 0, null)).contains(OpCode.SECCOMP_LOAD));
    }
}
