package io.jsyd.runtime.landlock;

import io.jsyd.runtime.LandlockException;
import io.jsyd.runtime.policy.LockMode;
import io.jsyd.runtime.policy.LockPolicy;
import io.jsyd.runtime.policy.LockRight;
import io.jsyd.runtime.policy.LockRule;
import io.jsyd.runtime.policy.LockScope;
import io.jsyd.runtime.policy.LockTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the Landlock part of a policy into a {@link LandlockPlan} for a kernel of a
 * given ABI. Everything Landlock can restrict is restricted (handled) and only the
 * rules grant: Landlock is an allow-list. What the kernel's ABI cannot do is, per
 * the policy's mode, a reason to refuse the start (strict) or a note in the log
 * with the rest applied (best effort). Nothing here touches the kernel.
 */
public final class LandlockPlanner {
    /** The newest ABI whose rights this planner knows; a newer kernel is planned as this one. */
    public static final int KNOWN_ABI = 6;

    private LandlockPlanner() {
    }

    /** The plan for a policy with Landlock on. */
    public static LandlockPlan plan(LockPolicy policy, LandlockSupport kernel) {
        if (!policy.on()) {
            throw new IllegalArgumentException("Landlock is off in this policy (no sandbox/lock:on)");
        }
        boolean best = policy.mode() == LockMode.BEST_EFFORT;
        List<String> problems = new ArrayList<>();
        if (!kernel.available()) {
            String why = "this kernel has no Landlock: " + kernel.unavailableReason();
            if (!best) {
                throw new LandlockException(List.of(why));
            }
            return new LandlockPlan(0, true, 0, 0, 0, List.of(), List.of(),
                    List.of(why + "; none of the " + policy.rules().size() + " Landlock rules is applied,"
                            + " nothing is restricted by Landlock"));
        }
        int abi = Math.min(kernel.abi(), KNOWN_ABI);
        long handledFs = LandlockAccess.fsRights(abi);
        long handledNet = LandlockAccess.netRights(abi);
        long scoped = 0;

        // rights the kernel cannot restrict: each rule that asks for one, then the right itself
        long missingFs = LandlockAccess.fsRights(KNOWN_ABI) & ~handledFs;
        for (long bit = 1; bit <= missingFs; bit <<= 1) {
            if ((missingFs & bit) == 0) {
                continue;
            }
            int needs = LandlockAccess.fsAbi(bit);
            for (LockRule r : policy.rules()) {
                if (r.target() instanceof LockTarget.Beneath && LandlockAccess.fsBit(r.right()) == bit) {
                    problems.add(describe(r) + ": " + LandlockAccess.fsName(bit) + " needs Landlock ABI " + needs
                            + ", this kernel has " + abi + (best ? "; rule dropped" : ""));
                }
            }
            if (bit == LandlockAccess.FS_REFER) {
                // ABI 1 cannot handle REFER but refuses every such rename and link: stricter, not looser
                if (best) {
                    problems.add("Landlock ABI 1 refuses every rename and link into another directory"
                            + " (rename needs ABI 2)");
                }
                continue;
            }
            problems.add("this kernel's Landlock ABI " + abi + " cannot restrict " + LandlockAccess.fsName(bit)
                    + " (needs ABI " + needs + ")" + (best ? ": it stays unrestricted" : ""));
        }
        if (handledNet == 0) {
            for (LockRule r : policy.rules()) {
                if (r.target() instanceof LockTarget.Ports) {
                    problems.add(describe(r) + ": TCP ports need Landlock ABI 4, this kernel has " + abi
                            + (best ? "; rule dropped" : ""));
                }
            }
            problems.add("this kernel's Landlock ABI " + abi + " cannot restrict TCP bind and connect (needs ABI 4)"
                    + (best ? ": they stay unrestricted" : ""));
        }
        for (LockScope s : policy.scopes()) {
            if (LandlockAccess.scopes(abi) == 0) {
                problems.add("this kernel's Landlock ABI " + abi + " cannot scope " + scopeName(s)
                        + " (needs ABI 6)" + (best ? ": not scoped" : ""));
            } else {
                scoped |= LandlockAccess.scopeBit(s);
            }
        }
        if (!best && !problems.isEmpty()) {
            throw new LandlockException(problems);
        }

        Map<String, long[]> access = new LinkedHashMap<>();
        Map<String, List<String>> origins = new LinkedHashMap<>();
        List<LandlockPlan.PortGrant> ports = new ArrayList<>();
        for (LockRule r : policy.rules()) {
            switch (r.target()) {
                case LockTarget.Beneath b -> {
                    long bit = LandlockAccess.fsBit(r.right()) & handledFs;
                    if (bit != 0) {
                        access.computeIfAbsent(b.path(), k -> new long[1])[0] |= bit;
                        origins.computeIfAbsent(b.path(), k -> new ArrayList<>()).add(describe(r));
                    }
                }
                case LockTarget.Ports p -> {
                    long bit = LandlockAccess.netBit(r.right()) & handledNet;
                    if (bit != 0) {
                        ports.add(new LandlockPlan.PortGrant(p.range(), bit, describe(r)));
                    }
                }
            }
        }
        List<LandlockPlan.PathGrant> paths = new ArrayList<>();
        access.forEach((path, bits) -> paths.add(
                new LandlockPlan.PathGrant(path, bits[0], String.join(", ", origins.get(path)))));
        return new LandlockPlan(kernel.abi(), best, handledFs, handledNet, scoped, paths, ports, problems);
    }

    private static String describe(LockRule r) {
        return r.line() + " (" + r.origin() + ")";
    }

    private static String scopeName(LockScope s) {
        return switch (s) {
            case SIGNAL -> "signals (lock/scope:signal)";
            case ABSTRACT_UNIX -> "abstract UNIX sockets (lock/scope:abstract)";
        };
    }
}
