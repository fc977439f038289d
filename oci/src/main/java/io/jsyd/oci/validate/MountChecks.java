package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.Mount;
import io.jsyd.oci.spec.model.NamespaceType;
import java.util.List;
import java.util.Set;

/**
 * mounts (config.md "Mounts"). Unknown options are not errors: they are
 * filesystem options and go to mount(2)'s data argument.
 */
final class MountChecks {
    /** Options jsyd-oci turns into mount flags or handles itself: config.md's table plus runc's rnodev. */
    static final Set<String> KNOWN_OPTIONS = Set.of(
            "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion", "lazytime",
            "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand",
            "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev",
            "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime", "rnoexec",
            "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro",
            "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared",
            "silent", "slave", "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable",
            "idmap", "ridmap");

    private MountChecks() {
    }

    static void destinations(Context c, Problems out) {
        List<Mount> mounts = Json.list(c.spec().getMounts());
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            String at = Json.index("$.mounts", i);
            nul(at + ".source", m.getSource(), out);
            nul(at + ".destination", m.getDestination(), out);
            nul(at + ".type", m.getType(), out);
            String dest = m.getDestination();
            if (dest == null) {
                continue;
            }
            if (dest.isEmpty()) {
                out.error(at + ".destination", "is empty: a mount needs a destination inside the container");
            } else if (!dest.startsWith("/")) {
                // runc warns and mounts at /dest; the spec deprecates relative destinations.
                out.warning(at + ".destination", Json.quote(dest) + " is relative; it is taken as /" + dest
                        + ", and relative destinations are deprecated");
            }
        }
    }

    static void idMappings(Context c, Problems out) {
        List<Mount> mounts = Json.list(c.spec().getMounts());
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            String at = Json.index("$.mounts", i);
            List<String> options = Json.list(m.getOptions());
            int idmap = indexOfAny(options, "idmap", "ridmap");
            boolean mapped = m.getUidMappings() != null || m.getGidMappings() != null;
            if (mapped) {
                mappings(at, m, out);
                if (idmap < 0) {
                    out.warning(at + ".options", "has neither idmap nor ridmap although the mount has"
                            + " uidMappings or gidMappings; it is id-mapped as with idmap");
                }
            }
            if (idmap < 0 && !mapped) {
                continue;
            }
            String where = idmap >= 0 ? Json.index(at + ".options", idmap) : at + ".uidMappings";
            String what = idmap >= 0 ? Json.quote(options.get(idmap)) : "an id mapping";
            if (!isBind(options)) {
                out.error(where, what + " needs a bind mount (bind or rbind in options); like runc,"
                        + " jsyd-oci id-maps only bind mounts");
            }
            if (!mapped && !c.hasNamespace(NamespaceType.USER)) {
                out.error(where, what + " without uidMappings and gidMappings on the mount uses the container's"
                        + " user namespace mappings, but linux.namespaces has no user namespace");
            }
        }
    }

    private static void mappings(String at, Mount m, Problems out) {
        if (m.getUidMappings() == null) {
            out.error(at + ".gidMappings", "is set without uidMappings; an id-mapped mount needs both");
            return;
        }
        if (m.getGidMappings() == null) {
            out.error(at + ".uidMappings", "is set without gidMappings; an id-mapped mount needs both");
            return;
        }
        if (m.getUidMappings().isEmpty()) {
            out.error(at + ".uidMappings", "is empty; an id-mapped mount needs at least one uid mapping");
        }
        if (m.getGidMappings().isEmpty()) {
            out.error(at + ".gidMappings", "is empty; an id-mapped mount needs at least one gid mapping");
        }
        IdMappings.check(at + ".uidMappings", m.getUidMappings(), out);
        IdMappings.check(at + ".gidMappings", m.getGidMappings(), out);
    }

    /*
     * The kernel ignores filesystem options on a bind mount, so they silently do
     * nothing. runc refuses such a mount; we warn, because crun-style options such
     * as "idmap=uids=..." would otherwise make podman's configs fail here.
     */
    static void bindOptions(Context c, Problems out) {
        List<Mount> mounts = Json.list(c.spec().getMounts());
        for (int i = 0; i < mounts.size(); i++) {
            List<String> options = Json.list(mounts.get(i).getOptions());
            if (!isBind(options)) {
                continue;
            }
            for (int k = 0; k < options.size(); k++) {
                if (!KNOWN_OPTIONS.contains(options.get(k))) {
                    out.warning(Json.index(Json.index("$.mounts", i) + ".options", k), Json.quote(options.get(k))
                            + " is a filesystem option, which the kernel ignores on a bind mount");
                }
            }
        }
    }

    static boolean isBind(List<String> options) {
        return options.contains("bind") || options.contains("rbind");
    }

    private static int indexOfAny(List<String> options, String a, String b) {
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).equals(a) || options.get(i).equals(b)) {
                return i;
            }
        }
        return -1;
    }

    private static void nul(String at, String value, Problems out) {
        if (value != null && value.indexOf('\0') >= 0) {
            out.error(at, "contains a NUL byte, which mount(2) cannot take");
        }
    }
}
