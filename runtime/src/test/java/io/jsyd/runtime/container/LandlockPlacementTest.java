package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.landlock.LandlockAccess;
import io.jsyd.runtime.landlock.LandlockPlan;
import io.jsyd.runtime.landlock.LandlockPlanner;
import io.jsyd.runtime.landlock.LandlockProbe;
import io.jsyd.runtime.linux.Capability;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.seccomp.SeccompConstants;
import io.jsyd.runtime.seccomp.SeccompFilter;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the init applies Landlock: after the pivot, right before the seccomp filters,
 * and while it may still (no_new_privs or CAP_SYS_ADMIN, never no_new_privs added).
 */
class LandlockPlacementTest {

    private static LandlockPlan landlock() throws Exception {
        return LandlockPlanner.plan(PolicyParser.parse("p", "sandbox/lock:on\nallow/lock/read,exec+/bin").landlock(),
                LandlockProbe.fixed(6).probe());
    }

    private static Plan plan(boolean nnp, long effective, Path fifo) throws Exception {
        ProcessConfig p = new ProcessConfig(List.of("sh"), List.of(), "/", 1000, 1000, List.of(), null,
                new Capabilities(effective, effective, effective, 0, 0), List.of(), nnp, null, null, null, null, null,
                null, new SeccompFilter(PlanFixture.ALLOW_PROGRAM, SeccompConstants.SECCOMP_FILTER_FLAG_LOG, false))
                .withLandlock(landlock());
        return new InitPlanner(PlanFixture.HOST).plan(PlanFixture.container(p), HookPoints.NONE, fifo);
    }

    @Test
    void withNoNewPrivilegesLandlockComesRightBeforeTheLastFilter() throws Exception {
        List<OpCode> c = PlanFixture.codes(plan(true, 0, Path.of("/run/x/fifo")));
        int restrict = c.indexOf(OpCode.LANDLOCK_RESTRICT);
        assertEquals(List.of(OpCode.WAIT_FIFO, OpCode.LANDLOCK_RULESET, OpCode.LANDLOCK_PATH,
                OpCode.LANDLOCK_RESTRICT, OpCode.SECCOMP_LOAD, OpCode.EXECVE), c.subList(restrict - 3, c.size()));
        assertTrue(c.indexOf(OpCode.PIVOT_ROOT) < c.indexOf(OpCode.LANDLOCK_RULESET));
        assertEquals(1, c.stream().filter(o -> o == OpCode.LANDLOCK_PATH).count(), "the fifo was opened before: no rule");
    }

    @Test
    void withCapSysAdminItAlsoComesLast() throws Exception {
        List<OpCode> c = PlanFixture.codes(plan(false, 1L << Capability.CAP_SYS_ADMIN.number(), null));
        assertEquals(List.of(OpCode.LANDLOCK_RESTRICT, OpCode.SECCOMP_LOAD, OpCode.EXECVE),
                c.subList(c.size() - 3, c.size()));
    }

    @Test
    void withNeitherItComesWhileTheInitIsPrivilegedAndTheFifoGetsARule() throws Exception {
        Plan plan = plan(false, 0, Path.of("/run/x/fifo"));
        List<OpCode> c = PlanFixture.codes(plan);
        assertTrue(c.indexOf(OpCode.PIVOT_ROOT) < c.indexOf(OpCode.LANDLOCK_RULESET));
        assertEquals(c.indexOf(OpCode.LANDLOCK_RESTRICT) + 1, c.indexOf(OpCode.SECCOMP_LOAD));
        assertTrue(c.indexOf(OpCode.SECCOMP_LOAD) < c.indexOf(OpCode.CAPBSET_DROP));
        assertTrue(c.indexOf(OpCode.LANDLOCK_RESTRICT) < c.indexOf(OpCode.WAIT_FIFO));
        assertTrue(plan.ops().stream().noneMatch(o -> o.code() == OpCode.PRCTL && o.ints()[0] == 38),
                "no no_new_privs the config did not ask for");
        PlanOp fifo = plan.ops().stream().filter(o -> o.code() == OpCode.LANDLOCK_PATH && o.origin().equals("exec fifo"))
                .findFirst().orElseThrow();
        assertEquals(LandlockAccess.FS_WRITE_FILE, fifo.ints()[1]);
        assertEquals(0, fifo.ints()[3], "the fifo's O_PATH handle");
    }
}
