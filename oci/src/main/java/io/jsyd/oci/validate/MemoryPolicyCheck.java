package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxMemoryPolicy;
import io.jsyd.oci.spec.model.MemoryPolicyFlag;
import io.jsyd.oci.spec.model.MemoryPolicyMode;
import java.util.List;

/**
 * linux.memoryPolicy: the node counts runc's validator wants per mode and the
 * mode/flag combinations set_mempolicy(2) refuses with EINVAL.
 */
final class MemoryPolicyCheck {
    private static final String BASE = "$.linux.memoryPolicy";

    private MemoryPolicyCheck() {
    }

    static void memoryPolicy(Context c, Problems out) {
        LinuxMemoryPolicy policy = c.linux() == null ? null : c.linux().getMemoryPolicy();
        if (policy == null || policy.getMode() == null) {
            return;
        }
        MemoryPolicyMode mode = policy.getMode();
        String nodes = policy.getNodes();
        String problem = nodes == null ? null : IdList.problem(nodes);
        if (problem != null) {
            out.error(BASE + ".nodes", Json.quote(nodes) + " is not a node list like 0-3,7: " + problem);
            return;
        }
        boolean hasNodes = IdList.hasMembers(nodes);
        switch (mode) {
            case MPOL_DEFAULT, MPOL_LOCAL -> {
                if (hasNodes) {
                    out.error(BASE + ".nodes", Json.quote(nodes) + " is set but " + mode.value() + " takes no nodes");
                }
            }
            case MPOL_BIND, MPOL_INTERLEAVE, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE -> {
                if (!hasNodes) {
                    out.error(BASE + ".nodes", "is missing or empty; " + mode.value() + " needs at least one node");
                }
            }
            case MPOL_PREFERRED -> {
                // No nodes means local allocation.
            }
        }
        flags(policy, mode, hasNodes, out);
    }

    private static void flags(LinuxMemoryPolicy policy, MemoryPolicyMode mode, boolean hasNodes, Problems out) {
        List<MemoryPolicyFlag> flags = Json.list(policy.getFlags());
        int nodeFlag = -1;
        for (int i = 0; i < flags.size(); i++) {
            MemoryPolicyFlag flag = flags.get(i);
            String at = Json.index(BASE + ".flags", i);
            switch (flag) {
                case MPOL_F_NUMA_BALANCING -> {
                    if (mode != MemoryPolicyMode.MPOL_BIND && mode != MemoryPolicyMode.MPOL_PREFERRED_MANY) {
                        out.error(at, "MPOL_F_NUMA_BALANCING works only with MPOL_BIND or MPOL_PREFERRED_MANY");
                    }
                }
                case MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES -> {
                    if (nodeFlag >= 0 && flags.get(nodeFlag) != flag) {
                        out.error(at, "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES cannot be combined");
                    } else if (mode == MemoryPolicyMode.MPOL_LOCAL
                            || (mode == MemoryPolicyMode.MPOL_PREFERRED && !hasNodes)) {
                        out.error(at, flag.value() + " needs nodes to interpret, and "
                                + mode.value() + " has none here");
                    }
                    nodeFlag = nodeFlag < 0 ? i : nodeFlag;
                }
            }
        }
    }
}
