package io.jsyd.runtime.landlock;

import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.PlanOp;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LandlockPlan} as init-stub ops: the ruleset, one op per path and per
 * port range, then restrict_self. Each op's origin names the policy rules behind
 * it, so a failure in the stub (a strict rule's path missing in the container)
 * names them and their lines.
 */
public final class LandlockOps {
    private LandlockOps() {
    }

    /**
     * @param fifoHandle the handle of the exec fifo when the init opens it after these
     *                   ops (it then needs the right to write it), or -1
     */
    public static List<PlanOp> of(LandlockPlan plan, int fifoHandle) {
        if (!plan.enforced()) {
            return List.of();
        }
        List<PlanOp> ops = new ArrayList<>();
        ops.add(PlanOp.of(OpCode.LANDLOCK_RULESET, "sandbox policy (Landlock ABI " + plan.abi() + ")",
                new long[] {plan.handledFs(), plan.handledNet(), plan.scoped()}));
        for (LandlockPlan.PathGrant g : plan.paths()) {
            ops.add(PlanOp.of(OpCode.LANDLOCK_PATH, g.rules(),
                    new long[] {g.access(), g.fileAccess(), plan.bestEffort() ? 1 : 0, -1}, g.path()));
        }
        if (fifoHandle >= 0 && (plan.handledFs() & LandlockAccess.FS_WRITE_FILE) != 0) {
            // the fifo is on the host, beneath no rule: `start` could never release the init otherwise
            ops.add(PlanOp.of(OpCode.LANDLOCK_PATH, "exec fifo",
                    new long[] {0, LandlockAccess.FS_WRITE_FILE, 0, fifoHandle}, "exec fifo"));
        }
        for (LandlockPlan.PortGrant g : plan.ports()) {
            ops.add(PlanOp.of(OpCode.LANDLOCK_PORTS, g.rules(),
                    new long[] {g.access(), g.range().first(), g.range().last()}));
        }
        ops.add(PlanOp.of(OpCode.LANDLOCK_RESTRICT, "sandbox policy (Landlock)", new long[] {0}));
        return ops;
    }
}
