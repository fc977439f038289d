package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.seccomp.SeccompConstants;
import io.jsyd.runtime.seccomp.SeccompFilter;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seize handshake in the plan: the init waits at the TRACE sync point, then loads the tracer's filter. */
class TracerPlanTest {
    private static final byte[] OTHER = {6, 0, 0, 0, 0, 0, (byte) 0xfe, 0x7f};

    private static Plan plan(boolean noNewPrivileges, SeccompFilter supervisor, SeccompFilter tracer) {
        ProcessConfig p = new ProcessConfig(List.of("sh"), List.of(), "/", 0, 0, List.of(), null,
                new Capabilities(0, 0, 0, 0, 0), List.of(), noNewPrivileges, null, null, null, null, null, null,
                null, supervisor, null, tracer);
        return new InitPlanner(PlanFixture.HOST).plan(PlanFixture.container(p));
    }

    @Test
    void theInitWaitsToBeSeizedRightBeforeTheTracersFilterWhichPrecedesTheSupervisors() {
        SeccompFilter supervisor = new SeccompFilter(OTHER, SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, true);
        Plan plan = plan(true, supervisor, new SeccompFilter(PlanFixture.ALLOW_PROGRAM, 0, false));
        List<OpCode> c = PlanFixture.codes(plan);
        assertEquals(List.of(OpCode.SYNC, OpCode.SECCOMP_LOAD, OpCode.SECCOMP_LOAD, OpCode.EXECVE),
                c.subList(c.size() - 4, c.size()));
        PlanOp sync = plan.ops().get(c.size() - 4);
        assertArrayEquals(new long[] {SyncPoint.TRACE.id()}, sync.ints());
        PlanOp tracer = plan.ops().get(c.size() - 3);
        assertEquals(InitPlanner.TRACER_ORIGIN, tracer.origin());
        assertArrayEquals(new long[] {0, 0}, tracer.ints(), "no listener");
        assertArrayEquals(PlanFixture.ALLOW_PROGRAM, tracer.strings().getFirst());
        assertEquals(InitPlanner.SUPERVISOR_ORIGIN, plan.ops().get(c.size() - 2).origin());
    }

    @Test
    void withoutNoNewPrivilegesTheHandshakeComesBeforeTheIdentityChanges() {
        Plan plan = plan(false, null, new SeccompFilter(PlanFixture.ALLOW_PROGRAM, 0, false));
        List<OpCode> c = PlanFixture.codes(plan);
        int load = c.indexOf(OpCode.SECCOMP_LOAD);
        assertEquals(OpCode.SYNC, c.get(load - 1));
        assertEquals(SyncPoint.TRACE.id(), plan.ops().get(load - 1).ints()[0]);
        assertEquals(true, load < c.indexOf(OpCode.SETRESUID));
    }

    @Test
    void underCreateTheSeizeComesBeforeTheWaitForStartAndTheTracersFilterBeforeTheSupervisors() {
        SeccompFilter supervisor = new SeccompFilter(OTHER, SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, true);
        ProcessConfig p = new ProcessConfig(List.of("sh"), List.of(), "/", 0, 0, List.of(), null,
                new Capabilities(0, 0, 0, 0, 0), List.of(), true, null, null, null, null, null, null,
                null, supervisor, null, new SeccompFilter(PlanFixture.ALLOW_PROGRAM, 0, false));
        Plan plan = new InitPlanner(PlanFixture.HOST).plan(PlanFixture.container(p), HookPoints.NONE,
                java.nio.file.Path.of("/run/x/exec.fifo"));
        List<OpCode> c = PlanFixture.codes(plan);
        int trace = -1;
        for (int i = 0; i < c.size(); i++) {
            if (c.get(i) == OpCode.SYNC && plan.ops().get(i).ints()[0] == SyncPoint.TRACE.id()) {
                trace = i;
            }
        }
        // the process that relays the sync to the daemon is `create`, which is gone once the init waits
        assertTrue(trace > 0 && trace < c.indexOf(OpCode.WAIT_FIFO), c.toString());
        assertEquals(InitPlanner.TRACER_ORIGIN, plan.ops().get(trace + 1).origin());
        assertEquals(InitPlanner.SUPERVISOR_ORIGIN, plan.ops().get(trace + 2).origin());
        assertEquals(1, c.stream().filter(o -> o == OpCode.SECCOMP_LOAD).count() - 1, "the tracer's filter once");
    }

    @Test
    void aTracerFilterWithAListenerIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> plan(true, null,
                new SeccompFilter(PlanFixture.ALLOW_PROGRAM, SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, true)));
    }
}
