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
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the plan loads the container's seccomp filter: after everything the runtime does that it may forbid. */
class SeccompPlanTest {

    private static Plan plan(boolean noNewPrivileges, long effective, SeccompFilter filter) {
        ProcessConfig p = new ProcessConfig(List.of("sh"), List.of(), "/", 1000, 1000, List.of(), null,
                new Capabilities(effective, effective, effective, 0, 0), List.of(), noNewPrivileges, null, null, null, null, null, null,
                filter);
        return new InitPlanner(PlanFixture.HOST).plan(PlanFixture.container(p));
    }

    @Test
    void withNoNewPrivilegesTheFilterIsTheLastStepBeforeExecve() {
        SeccompFilter f = new SeccompFilter(PlanFixture.ALLOW_PROGRAM, SeccompConstants.SECCOMP_FILTER_FLAG_LOG, false);
        Plan plan = plan(true, 0, f);
        List<OpCode> c = PlanFixture.codes(plan);
        // after the READY sync, so the filter never sees the sync's calls
        assertEquals(List.of(OpCode.PRCTL, OpCode.SYNC, OpCode.SECCOMP_LOAD, OpCode.EXECVE),
                c.subList(c.size() - 4, c.size()));
        PlanOp load = plan.ops().get(c.size() - 2);
        assertArrayEquals(new long[] {SeccompConstants.SECCOMP_FILTER_FLAG_LOG, 0}, load.ints());
        assertArrayEquals(PlanFixture.ALLOW_PROGRAM, load.strings().getFirst());
        assertEquals("linux.seccomp", load.origin());
        // the plan carries the program whole, NUL bytes and all
        byte[] encoded = plan.encode();
        boolean found = false;
        for (int i = 0; i + PlanFixture.ALLOW_PROGRAM.length <= encoded.length && !found; i++) {
            found = java.util.Arrays.equals(encoded, i, i + PlanFixture.ALLOW_PROGRAM.length, PlanFixture.ALLOW_PROGRAM, 0, PlanFixture.ALLOW_PROGRAM.length);
        }
        assertEquals(true, found);
    }

    @Test
    void withCapSysAdminTheFilterAlsoComesLast() {
        Plan plan = plan(false, 1L << Capability.CAP_SYS_ADMIN.number(),
                new SeccompFilter(PlanFixture.ALLOW_PROGRAM, SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, true));
        List<OpCode> c = PlanFixture.codes(plan);
        assertEquals(OpCode.SECCOMP_LOAD, c.get(c.size() - 2));
        assertArrayEquals(new long[] {SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, 1},
                plan.ops().get(c.size() - 2).ints());
    }

    @Test
    void withNeitherTheFilterComesWhileTheInitIsStillPrivileged() {
        List<OpCode> c = PlanFixture.codes(plan(false, 1L << Capability.CAP_CHOWN.number(), new SeccompFilter(PlanFixture.ALLOW_PROGRAM, 0, false)));
        int load = c.indexOf(OpCode.SECCOMP_LOAD);
        assertEquals(load, c.lastIndexOf(OpCode.SECCOMP_LOAD));
        assertEquals(OpCode.CLOSE_FDS, c.get(load - 1));
        assertEquals(OpCode.CAPBSET_DROP, c.get(load + 1));
        assertEquals(true, load < c.indexOf(OpCode.SETRESUID) && load < c.indexOf(OpCode.CAPSET));
    }

    @Test
    void withoutAFilterNothingIsLoaded() {
        assertFalse(PlanFixture.codes(plan(true, 0, null)).contains(OpCode.SECCOMP_LOAD));
    }
}
