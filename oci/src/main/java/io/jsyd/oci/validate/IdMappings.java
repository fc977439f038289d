package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxIDMapping;
import java.util.List;

/**
 * ID mappings as the kernel accepts them in uid_map and gid_map (user_namespaces(7)),
 * which also govern the mappings of id-mapped mounts.
 */
final class IdMappings {
    /** The kernel's limit on lines in uid_map/gid_map since Linux 4.15. */
    static final int MAX_EXTENTS = 340;
    static final long ID_LIMIT = 0xFFFF_FFFFL;

    private IdMappings() {
    }

    static void check(String base, List<LinuxIDMapping> mappings, Problems out) {
        List<LinuxIDMapping> all = Json.list(mappings);
        if (all.size() > MAX_EXTENTS) {
            out.error(base, "has " + all.size() + " entries; the kernel accepts at most " + MAX_EXTENTS);
        }
        for (int i = 0; i < all.size(); i++) {
            LinuxIDMapping m = all.get(i);
            String at = Json.index(base, i);
            long size = Json.value(m.getSize());
            if (size == 0) {
                out.error(at + ".size", "is 0; a mapping must cover at least one ID");
                continue;
            }
            // first + count must stay below 2^32 on both sides, or the kernel refuses the map.
            if (Json.value(m.getContainerID()) + size > ID_LIMIT || Json.value(m.getHostID()) + size > ID_LIMIT) {
                out.error(at + ".size", size + " IDs from containerID " + Json.value(m.getContainerID())
                        + " or hostID " + Json.value(m.getHostID()) + " run past " + (ID_LIMIT - 1));
                continue;
            }
            for (int j = 0; j < i; j++) {
                LinuxIDMapping earlier = all.get(j);
                if (Json.value(earlier.getSize()) == 0) {
                    continue;
                }
                if (overlap(m.getContainerID(), size, earlier.getContainerID(), earlier.getSize())) {
                    out.error(at + ".containerID", "its range overlaps the container IDs of " + Json.index(base, j)
                            + "; the kernel refuses overlapping mappings");
                    break;
                }
                if (overlap(m.getHostID(), size, earlier.getHostID(), earlier.getSize())) {
                    out.error(at + ".hostID", "its range overlaps the host IDs of " + Json.index(base, j)
                            + "; the kernel refuses overlapping mappings");
                    break;
                }
            }
        }
    }

    /** Whether a container ID falls in one of the mappings. */
    static boolean maps(List<LinuxIDMapping> mappings, long id) {
        for (LinuxIDMapping m : Json.list(mappings)) {
            long first = Json.value(m.getContainerID());
            if (id >= first && id < first + Json.value(m.getSize())) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlap(Long first, long size, Long otherFirst, Long otherSize) {
        long a = Json.value(first);
        long b = Json.value(otherFirst);
        return a < b + Json.value(otherSize) && b < a + size;
    }
}
