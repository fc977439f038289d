package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.Linux;
import io.jsyd.oci.spec.model.LinuxIDMapping;
import io.jsyd.oci.spec.model.LinuxNamespace;
import io.jsyd.oci.spec.model.NamespaceType;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.TimeOffset;
import io.jsyd.oci.spec.model.TimeOffsets;
import io.jsyd.oci.spec.model.User;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** linux.namespaces and what depends on them: id mappings, time offsets (config-linux.md "Namespaces"). */
final class NamespaceChecks {
    static final long NANOS_PER_SECOND = 1_000_000_000L;

    private NamespaceChecks() {
    }

    static void duplicates(Context c, Problems out) {
        List<LinuxNamespace> all = c.namespaces();
        Map<NamespaceType, Integer> seen = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            NamespaceType type = all.get(i).getType();
            if (type == null) {
                continue;
            }
            Integer first = seen.putIfAbsent(type, i);
            if (first != null) {
                out.error(Context.namespacePath(i) + ".type", Json.quote(type.value()) + " is already listed at "
                        + Context.namespacePath(first) + "; each namespace type may appear once");
            }
        }
    }

    static void paths(Context c, Problems out) {
        List<LinuxNamespace> all = c.namespaces();
        for (int i = 0; i < all.size(); i++) {
            String path = all.get(i).getPath();
            if (path != null && !path.isEmpty() && !path.startsWith("/")) {
                out.error(Context.namespacePath(i) + ".path", Json.quote(path)
                        + " is not an absolute path; namespace paths must be absolute");
            }
        }
    }

    /*
     * As runc: a new user namespace needs both maps (runc fails with "no uid
     * mappings found"), mappings without a user namespace are an error, and
     * mappings next to a joined namespace are only warned about, because
     * containerd and CRI-O write both (runc accepts them when they match that
     * namespace, which we cannot see without entering it).
     */
    static void userNamespace(Context c, Problems out) {
        Linux linux = c.linux();
        List<LinuxIDMapping> uids = linux == null ? null : linux.getUidMappings();
        List<LinuxIDMapping> gids = linux == null ? null : linux.getGidMappings();
        int index = c.namespaceIndex(NamespaceType.USER);
        String joined = c.joinedNamespacePath(NamespaceType.USER);
        if (index < 0) {
            notWithout("$.linux.uidMappings", uids, out);
            notWithout("$.linux.gidMappings", gids, out);
        } else if (joined != null) {
            ignored("$.linux.uidMappings", uids, joined, out);
            ignored("$.linux.gidMappings", gids, joined, out);
        } else {
            required("$.linux.uidMappings", uids, "uid", index, out);
            required("$.linux.gidMappings", gids, "gid", index, out);
        }
        IdMappings.check("$.linux.uidMappings", uids, out);
        IdMappings.check("$.linux.gidMappings", gids, out);
    }

    private static void notWithout(String at, List<LinuxIDMapping> maps, Problems out) {
        if (maps != null && !maps.isEmpty()) {
            out.error(at, "is set but linux.namespaces has no user namespace to apply it to");
        }
    }

    private static void ignored(String at, List<LinuxIDMapping> maps, String joined, Problems out) {
        if (maps != null && !maps.isEmpty()) {
            out.warning(at, "is ignored: the container joins the user namespace " + joined
                    + ", whose mappings are fixed (runc refuses mappings that differ from them)");
        }
    }

    private static void required(String at, List<LinuxIDMapping> maps, String kind, int index, Problems out) {
        if (maps == null || maps.isEmpty()) {
            out.error(at, "is missing or empty; the new user namespace at " + Context.namespacePath(index)
                    + " needs " + kind + " mappings");
        }
    }

    /** In a new user namespace, set*id and setgroups refuse IDs its maps do not cover. */
    static void userMapped(Context c, Problems out) {
        Process p = c.spec().getProcess();
        User user = p == null ? null : p.getUser();
        if (user == null || !c.createsNamespace(NamespaceType.USER)) {
            return;
        }
        List<LinuxIDMapping> uids = c.linux().getUidMappings();
        List<LinuxIDMapping> gids = c.linux().getGidMappings();
        if (uids != null && !uids.isEmpty() && !IdMappings.maps(uids, Json.value(user.getUid()))) {
            out.error("$.process.user.uid", Json.value(user.getUid())
                    + " is not mapped by linux.uidMappings; setresuid fails in the new user namespace");
        }
        if (gids == null || gids.isEmpty()) {
            return;
        }
        if (!IdMappings.maps(gids, Json.value(user.getGid()))) {
            out.error("$.process.user.gid", Json.value(user.getGid())
                    + " is not mapped by linux.gidMappings; setresgid fails in the new user namespace");
        }
        List<Long> extra = Json.list(user.getAdditionalGids());
        for (int i = 0; i < extra.size(); i++) {
            if (!IdMappings.maps(gids, Json.value(extra.get(i)))) {
                out.error(Json.index("$.process.user.additionalGids", i), Json.value(extra.get(i))
                        + " is not mapped by linux.gidMappings; setgroups fails in the new user namespace");
            }
        }
    }

    /** As runc: offsets need a time namespace the container creates; a joined one has its clocks set. */
    static void timeOffsets(Context c, Problems out) {
        TimeOffsets offsets = c.linux() == null ? null : c.linux().getTimeOffsets();
        if (offsets == null) {
            return;
        }
        String at = "$.linux.timeOffsets";
        String joined = c.joinedNamespacePath(NamespaceType.TIME);
        if (!c.hasNamespace(NamespaceType.TIME)) {
            out.error(at, "is set but linux.namespaces has no time namespace to apply it to");
        } else if (joined != null) {
            out.error(at, "is set but the container joins the time namespace " + joined
                    + ", whose offsets are fixed; give either the path or the offsets");
        }
        offset(at + ".monotonic", offsets.getMonotonic(), out);
        offset(at + ".boottime", offsets.getBoottime(), out);
        for (String clock : offsets.getAdditionalProperties().keySet()) {
            out.error(Json.key(at, clock), Json.quote(clock)
                    + " is not a clock a time namespace offsets; only monotonic and boottime are");
        }
    }

    private static void offset(String at, TimeOffset offset, Problems out) {
        if (offset != null && offset.getNanosecs() != null && offset.getNanosecs() >= NANOS_PER_SECOND) {
            out.error(at + ".nanosecs", offset.getNanosecs() + " is not below 1000000000;"
                    + " whole seconds belong in secs");
        }
    }

    /*
     * maskedPaths and readonlyPaths: absolute paths in the container, and (as in
     * runc) only with a mount namespace, or they would mask or remount the host's.
     */
    static void pathLists(Context c, Problems out) {
        Linux linux = c.linux();
        if (linux == null) {
            return;
        }
        pathList(c, "$.linux.maskedPaths", linux.getMaskedPaths(), "mask the host's paths", out);
        pathList(c, "$.linux.readonlyPaths", linux.getReadonlyPaths(), "make the host's paths read-only", out);
    }

    private static void pathList(Context c, String base, List<String> paths, String harm, Problems out) {
        List<String> all = Json.list(paths);
        if (!all.isEmpty() && !c.hasNamespace(NamespaceType.MOUNT)) {
            out.error(base, "is set but linux.namespaces has no mount namespace; it would " + harm);
        }
        for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).startsWith("/")) {
                out.error(Json.index(base, i), Json.quote(all.get(i))
                        + " is not an absolute path; paths inside the container must be absolute");
            }
        }
    }
}
