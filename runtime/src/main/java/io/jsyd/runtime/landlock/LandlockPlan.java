package io.jsyd.runtime.landlock;

import io.jsyd.runtime.policy.PortRange;
import java.util.List;

/**
 * What the init stub does for Landlock, all decided: the rights the ruleset handles
 * (those the kernel's ABI can restrict), the grants, and whether a grant whose path
 * is missing in the container is skipped (best effort) or fails the start (strict).
 * {@code notes} are what planning dropped or downgraded, for the sandbox log.
 * A plan that is not {@link #enforced()} (best effort on a kernel without Landlock)
 * adds no op at all.
 */
public record LandlockPlan(int abi, boolean bestEffort, long handledFs, long handledNet, long scoped,
                           List<PathGrant> paths, List<PortGrant> ports, List<String> notes) {
    public LandlockPlan {
        paths = List.copyOf(paths);
        ports = List.copyOf(ports);
        notes = List.copyOf(notes);
    }

    /**
     * Rights beneath one path of the container. {@code fileAccess} is what is left
     * when the path turns out not to be a directory (the stub looks, Java says what then).
     *
     * @param rules the policy lines that made it, with their origins, for errors and notes
     */
    public record PathGrant(String path, long access, String rules) {
        public long fileAccess() {
            return access & LandlockAccess.FS_FILE_RIGHTS;
        }
    }

    /** TCP rights on a range of ports (one kernel rule per port). */
    public record PortGrant(PortRange range, long access, String rules) {
    }

    public boolean enforced() {
        return abi > 0;
    }
}
