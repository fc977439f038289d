package io.jsyd.runtime.landlock;

import static io.jsyd.runtime.landlock.LandlockAccess.FS_EXECUTE;
import static io.jsyd.runtime.landlock.LandlockAccess.FS_IOCTL_DEV;
import static io.jsyd.runtime.landlock.LandlockAccess.FS_READ_DIR;
import static io.jsyd.runtime.landlock.LandlockAccess.FS_READ_FILE;
import static io.jsyd.runtime.landlock.LandlockAccess.FS_REFER;
import static io.jsyd.runtime.landlock.LandlockAccess.FS_TRUNCATE;
import static io.jsyd.runtime.landlock.LandlockAccess.FS_WRITE_FILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.LandlockException;
import io.jsyd.runtime.policy.LockPolicy;
import io.jsyd.runtime.policy.PolicyException;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.policy.PortRange;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.PlanOp;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Planning against simulated kernels (the probe is a seam), ABI 0 to 7, strict and best effort. */
class LandlockPlannerTest {
    /** Uses every kind of rule: each ABI step drops or refuses something of it. */
    private static final String RULES = """
            sandbox/lock:on
            allow/lock/read,readdir,exec+/bin
            allow/lock/write,truncate+/tmp
            allow/lock/rename+/tmp
            allow/lock/ioctl+/dev/pts
            allow/lock/connect+80
            allow/lock/bind+8000-8002
            """;

    private static LockPolicy policy(String mode) throws PolicyException {
        return PolicyParser.parse("p.jsyd", RULES + "default/lock:" + mode + "\n").landlock();
    }

    private static LandlockPlan plan(String mode, int abi) throws PolicyException {
        return LandlockPlanner.plan(policy(mode), LandlockProbe.fixed(abi).probe());
    }

    private static LandlockPlan.PathGrant grant(LandlockPlan p, String path) {
        return p.paths().stream().filter(g -> g.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void aNewKernelTakesEverythingAsWritten() throws PolicyException {
        for (int abi : new int[] {6, 7}) {
            LandlockPlan p = plan("kill", abi);
            assertTrue(p.enforced());
            assertEquals(abi, p.abi());
            assertEquals(LandlockAccess.fsRights(6), p.handledFs());
            assertEquals(3, p.handledNet());
            assertEquals(LandlockAccess.SCOPE_SIGNAL | LandlockAccess.SCOPE_ABSTRACT_UNIX_SOCKET, p.scoped());
            assertEquals(List.of(), p.notes());
            assertEquals(FS_READ_FILE | FS_READ_DIR | FS_EXECUTE, grant(p, "/bin").access());
            assertEquals(FS_READ_FILE | FS_EXECUTE, grant(p, "/bin").fileAccess());
            assertEquals(FS_WRITE_FILE | FS_TRUNCATE | FS_REFER, grant(p, "/tmp").access());
            assertTrue(grant(p, "/tmp").rules().contains("allow/lock/rename+/tmp (p.jsyd:4)"), grant(p, "/tmp").rules());
            assertEquals(List.of(new PortRange(80, 80), new PortRange(8000, 8002)),
                    p.ports().stream().map(LandlockPlan.PortGrant::range).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void strictRefusesEveryKernelThatCannotApplyItAll(int abi) {
        LandlockException e = assertThrows(LandlockException.class, () -> plan("kill", abi));
        String all = String.join("\n", e.reasons());
        if (abi == 0) {
            assertEquals(List.of("this kernel has no Landlock: no Landlock"), e.reasons());
            return;
        }
        assertTrue(all.contains("cannot scope signals"), all);
        assertTrue(all.contains("cannot scope abstract UNIX sockets"), all);
        assertEquals(abi < 5, all.contains("allow/lock/ioctl+/dev/pts (p.jsyd:5): ioctl needs Landlock ABI 5"), all);
        assertEquals(abi < 4, all.contains("allow/lock/connect+80 (p.jsyd:6): TCP ports need Landlock ABI 4"), all);
        assertEquals(abi < 3, all.contains("allow/lock/truncate+/tmp (p.jsyd:3): truncate needs Landlock ABI 3"), all);
        assertEquals(abi < 2, all.contains("allow/lock/rename+/tmp (p.jsyd:4): rename needs Landlock ABI 2"), all);
        assertTrue(e.getMessage().contains("default/lock:warn applies what it can"), e.getMessage());
    }

    @Test
    void strictWithoutTheRulesAnOldKernelLacksStillNeedsItToRestrictThem() throws PolicyException {
        LockPolicy p = PolicyParser.parse("p", "sandbox/lock:on\nlock/scope:none\nallow/lock/read+/bin").landlock();
        LandlockException e = assertThrows(LandlockException.class,
                () -> LandlockPlanner.plan(p, LandlockProbe.fixed(4).probe()));
        assertEquals(List.of("this kernel's Landlock ABI 4 cannot restrict ioctl (needs ABI 5)"), e.reasons());
        assertEquals(0, LandlockPlanner.plan(p, LandlockProbe.fixed(5).probe()).scoped());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void bestEffortAppliesWhatTheAbiHasAndNotesTheRest(int abi) throws PolicyException {
        LandlockPlan p = plan("warn", abi);
        assertTrue(p.enforced());
        assertTrue(p.bestEffort());
        assertEquals(LandlockAccess.fsRights(Math.min(abi, 6)), p.handledFs());
        String notes = String.join("\n", p.notes());
        assertEquals(abi >= 6, p.notes().isEmpty(), notes);
        assertEquals(abi >= 6 ? 3 : 0, p.scoped());
        assertEquals(abi >= 4 ? 3 : 0, p.handledNet());
        assertEquals(abi >= 4 ? 2 : 0, p.ports().size());
        assertEquals(abi < 4, notes.contains("allow/lock/connect+80 (p.jsyd:6): TCP ports need Landlock ABI 4,"
                + " this kernel has " + abi + "; rule dropped"), notes);
        assertEquals(abi < 4, notes.contains("cannot restrict TCP bind and connect (needs ABI 4): they stay unrestricted"));
        assertEquals(abi < 5, notes.contains("allow/lock/ioctl+/dev/pts (p.jsyd:5): ioctl needs Landlock ABI 5"), notes);
        assertEquals(abi >= 5, p.paths().stream().anyMatch(g -> g.path().equals("/dev/pts")),
                "the ioctl rule is all of /dev/pts: it goes when the ABI cannot take it");
        long tmp = grant(p, "/tmp").access();
        assertEquals(abi >= 3, (tmp & FS_TRUNCATE) != 0);
        assertEquals(abi >= 2, (tmp & FS_REFER) != 0);
        assertEquals(abi == 1, notes.contains("ABI 1 refuses every rename and link into another directory"), notes);
    }

    @Test
    void bestEffortWithoutLandlockAppliesNothingAndSaysSo() throws PolicyException {
        LandlockPlan p = plan("warn", 0);
        assertFalse(p.enforced());
        assertEquals(List.of(), LandlockOps.of(p, -1));
        assertEquals(List.of("this kernel has no Landlock: no Landlock; none of the 9 Landlock rules is applied,"
                + " nothing is restricted by Landlock"), p.notes());
    }

    @Test
    void opsCarryTheRightsAndNameTheRulesBehindThem() throws PolicyException {
        LandlockPlan p = plan("warn", 6);
        List<PlanOp> ops = LandlockOps.of(p, 0);
        assertEquals(List.of(OpCode.LANDLOCK_RULESET, OpCode.LANDLOCK_PATH, OpCode.LANDLOCK_PATH,
                OpCode.LANDLOCK_PATH, OpCode.LANDLOCK_PATH, OpCode.LANDLOCK_PORTS, OpCode.LANDLOCK_PORTS,
                OpCode.LANDLOCK_RESTRICT), ops.stream().map(PlanOp::code).toList());
        PlanOp bin = ops.get(1);
        assertEquals(List.of("/bin"), bin.texts());
        assertEquals(FS_READ_FILE | FS_READ_DIR | FS_EXECUTE, bin.ints()[0]);
        assertEquals(FS_READ_FILE | FS_EXECUTE, bin.ints()[1]);
        assertEquals(1, bin.ints()[2], "best effort: a missing path is skipped");
        assertEquals(-1, bin.ints()[3]);
        assertEquals("allow/lock/read+/bin (p.jsyd:2), allow/lock/readdir+/bin (p.jsyd:2),"
                + " allow/lock/exec+/bin (p.jsyd:2)", bin.origin());
        PlanOp fifo = ops.get(4);
        assertEquals("exec fifo", fifo.origin());
        assertEquals(List.of(0L, FS_WRITE_FILE, 0L, 0L), java.util.Arrays.stream(fifo.ints()).boxed().toList());
        assertEquals(List.of(LandlockAccess.NET_BIND_TCP, 8000L, 8002L),
                java.util.Arrays.stream(ops.get(6).ints()).boxed().toList());
        assertEquals(0, LandlockOps.of(plan("kill", 6), -1).get(1).ints()[2], "strict: a missing path fails");
    }

    @Test
    void directoryOnlyRightsLeaveNothingForAFile() {
        assertEquals(0, new LandlockPlan.PathGrant("/x", FS_READ_DIR | LandlockAccess.FS_MAKE_REG, "r").fileAccess());
        assertEquals(FS_IOCTL_DEV, new LandlockPlan.PathGrant("/x", FS_IOCTL_DEV | FS_READ_DIR, "r").fileAccess());
    }
}
