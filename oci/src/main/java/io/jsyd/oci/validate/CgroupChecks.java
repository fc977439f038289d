package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxMemory;
import io.jsyd.oci.spec.model.LinuxResources;

/** linux.cgroupsPath and the resource values the kernel refuses together. */
final class CgroupChecks {
    private CgroupChecks() {
    }

    /*
     * Three forms: "/a/b" (from the cgroup root), "a/b" (under the runtime's own
     * place) and systemd's "slice:prefix:name". podman and containerd only write
     * the colon form for the systemd driver and never start it with /, so a
     * colon in a path that does not start with / means the systemd form.
     */
    static void cgroupsPath(Context c, Problems out) {
        String path = c.linux() == null ? null : c.linux().getCgroupsPath();
        if (path == null || path.isEmpty()) {
            return;
        }
        String at = "$.linux.cgroupsPath";
        if (path.indexOf('\0') >= 0) {
            out.error(at, "contains a NUL byte, which no cgroup path can hold");
            return;
        }
        if (!path.startsWith("/") && path.indexOf(':') >= 0) {
            systemd(at, path, out);
            return;
        }
        int depth = 0;
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                depth--;
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
            if (depth < 0) {
                out.error(at, Json.quote(path) + " climbs above its starting point with ..;"
                        + " a cgroup path must stay inside the hierarchy");
                return;
            }
        }
    }

    private static void systemd(String at, String path, Problems out) {
        String[] parts = path.split(":", -1);
        if (parts.length != 3) {
            out.error(at, Json.quote(path) + " has " + parts.length
                    + " colon-separated parts; the systemd form is slice:prefix:name");
            return;
        }
        if (!parts[0].isEmpty() && !validSlice(parts[0])) {
            out.error(at, Json.quote(parts[0]) + " is not a systemd slice name: it must end in .slice, have no /,"
                    + " and no empty part between dashes");
        }
        if (parts[2].isEmpty()) {
            out.error(at, Json.quote(path) + " has an empty name; the systemd form is slice:prefix:name");
        }
    }

    /** systemd's slice naming, as runc's cgroup driver checks it. */
    static boolean validSlice(String slice) {
        String suffix = ".slice";
        if (!slice.endsWith(suffix) || slice.equals(suffix) || slice.contains("/")) {
            return false;
        }
        String name = slice.substring(0, slice.length() - suffix.length());
        if (name.equals("-")) {
            return true; // the root slice
        }
        for (String component : name.split("-", -1)) {
            if (component.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /*
     * memory.swap is the memory+swap limit: it needs a memory limit and cannot be
     * below it (cgroup v1 refuses it; runc's v2 conversion refuses it too).
     */
    static void memorySwap(Context c, Problems out) {
        LinuxResources resources = c.linux() == null ? null : c.linux().getResources();
        LinuxMemory memory = resources == null ? null : resources.getMemory();
        if (memory == null || memory.getSwap() == null) {
            return;
        }
        long swap = memory.getSwap();
        long limit = Json.value(memory.getLimit());
        if (swap == 0 || swap == -1) {
            return; // unset and unlimited
        }
        String at = "$.linux.resources.memory.swap";
        if (limit == 0 || limit == -1) {
            out.error(at, swap + " is set but memory.limit is not; a swap limit needs a memory limit");
        } else if (swap < limit) {
            out.error(at, swap + " is below memory.limit " + limit
                    + "; swap is the memory+swap limit and cannot be below the memory limit");
        }
    }
}
