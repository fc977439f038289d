package io.jsyd.oci.convert;

import static io.jsyd.runtime.linux.LinuxConstants.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The mount options of config.md, decoded as runc and crun decode them: flags to
 * set or clear, propagation, recursive attributes (mount_setattr), and everything
 * else passed to the filesystem as data.
 */
public record MountOptions(boolean bind, boolean recursive, long flags, List<Long> propagation, long attrSet,
                    long attrClr, String data, List<String> unsupported, boolean idmap, boolean ridmap,
                    boolean copyUp) {

    private record Flag(boolean clear, long value) {
    }

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("defaults", new Flag(false, 0)),
            Map.entry("ro", new Flag(false, MS_RDONLY)), Map.entry("rw", new Flag(true, MS_RDONLY)),
            Map.entry("nosuid", new Flag(false, MS_NOSUID)), Map.entry("suid", new Flag(true, MS_NOSUID)),
            Map.entry("nodev", new Flag(false, MS_NODEV)), Map.entry("dev", new Flag(true, MS_NODEV)),
            Map.entry("noexec", new Flag(false, MS_NOEXEC)), Map.entry("exec", new Flag(true, MS_NOEXEC)),
            Map.entry("sync", new Flag(false, MS_SYNCHRONOUS)), Map.entry("async", new Flag(true, MS_SYNCHRONOUS)),
            Map.entry("dirsync", new Flag(false, MS_DIRSYNC)),
            Map.entry("remount", new Flag(false, MS_REMOUNT)),
            Map.entry("mand", new Flag(false, MS_MANDLOCK)), Map.entry("nomand", new Flag(true, MS_MANDLOCK)),
            Map.entry("noatime", new Flag(false, MS_NOATIME)), Map.entry("atime", new Flag(true, MS_NOATIME)),
            Map.entry("nodiratime", new Flag(false, MS_NODIRATIME)), Map.entry("diratime", new Flag(true, MS_NODIRATIME)),
            Map.entry("relatime", new Flag(false, MS_RELATIME)), Map.entry("norelatime", new Flag(true, MS_RELATIME)),
            Map.entry("strictatime", new Flag(false, MS_STRICTATIME)),
            Map.entry("nostrictatime", new Flag(true, MS_STRICTATIME)),
            Map.entry("lazytime", new Flag(false, MS_LAZYTIME)), Map.entry("nolazytime", new Flag(true, MS_LAZYTIME)),
            Map.entry("silent", new Flag(false, MS_SILENT)), Map.entry("loud", new Flag(true, MS_SILENT)),
            Map.entry("nosymfollow", new Flag(false, MS_NOSYMFOLLOW)),
            Map.entry("symfollow", new Flag(true, MS_NOSYMFOLLOW)));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    private static final Map<String, Flag> RECURSIVE = Map.ofEntries(
            Map.entry("rro", new Flag(false, MOUNT_ATTR_RDONLY)), Map.entry("rrw", new Flag(true, MOUNT_ATTR_RDONLY)),
            Map.entry("rnosuid", new Flag(false, MOUNT_ATTR_NOSUID)), Map.entry("rsuid", new Flag(true, MOUNT_ATTR_NOSUID)),
            Map.entry("rnodev", new Flag(false, MOUNT_ATTR_NODEV)), Map.entry("rdev", new Flag(true, MOUNT_ATTR_NODEV)),
            Map.entry("rnoexec", new Flag(false, MOUNT_ATTR_NOEXEC)), Map.entry("rexec", new Flag(true, MOUNT_ATTR_NOEXEC)),
            Map.entry("rnodiratime", new Flag(false, MOUNT_ATTR_NODIRATIME)),
            Map.entry("rdiratime", new Flag(true, MOUNT_ATTR_NODIRATIME)),
            Map.entry("rnosymfollow", new Flag(false, MOUNT_ATTR_NOSYMFOLLOW)),
            Map.entry("rsymfollow", new Flag(true, MOUNT_ATTR_NOSYMFOLLOW)));

    /** Options the spec defines that jsyd-oci does not do yet: refused, never ignored. */
    private static final List<String> NOT_YET = List.of();

    public static MountOptions parse(String type, List<String> options) {
        boolean bind = "bind".equals(type);
        boolean recursive = false;
        long flags = 0;
        long set = 0;
        long clr = 0;
        List<Long> propagation = new ArrayList<>();
        List<String> data = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        boolean idmap = false;
        boolean ridmap = false;
        boolean copyUp = false;
        for (String o : options == null ? List.<String>of() : options) {
            Flag f = FLAGS.get(o);
            Long p = PROPAGATION.get(o);
            Flag r = RECURSIVE.get(o);
            if (o.equals("bind")) {
                bind = true;
            } else if (o.equals("rbind")) {
                bind = true;
                recursive = true;
            } else if (f != null) {
                flags = f.clear() ? flags & ~f.value() : flags | f.value();
            } else if (p != null) {
                propagation.add(p);
            } else if (r != null) {
                if (r.clear()) {
                    clr |= r.value();
                    set &= ~r.value();
                } else {
                    set |= r.value();
                    clr &= ~r.value();
                }
            } else if (isRecursiveAtime(o)) {
                set = (set & ~MOUNT_ATTR__ATIME) | atime(o);
                clr |= MOUNT_ATTR__ATIME;
            } else if (o.equals("idmap")) {
                idmap = true;
            } else if (o.equals("ridmap")) {
                ridmap = true;
            } else if (o.equals("tmpcopyup")) {
                copyUp = true;
            } else if (NOT_YET.contains(o)) {
                unsupported.add(o);
            } else {
                data.add(o);
            }
        }
        return new MountOptions(bind, recursive, flags, propagation, set, clr, String.join(",", data), unsupported,
                idmap, ridmap, copyUp);
    }

    /** Every option this decoder turns into a flag, a propagation, an attribute or an id mapping. */
    public static List<String> recognized() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(FLAGS.keySet());
        names.addAll(PROPAGATION.keySet());
        names.addAll(RECURSIVE.keySet());
        names.addAll(List.of("bind", "rbind", "idmap", "ridmap", "tmpcopyup",
                "rrelatime", "rnoatime", "rstrictatime", "rnorelatime", "ratime", "rnostrictatime"));
        return List.copyOf(names);
    }

    private static boolean isRecursiveAtime(String o) {
        return o.equals("rrelatime") || o.equals("rnoatime") || o.equals("rstrictatime")
                || o.equals("rnorelatime") || o.equals("ratime") || o.equals("rnostrictatime");
    }

    /**
     * The atime attributes are one 2-bit field: the kernel takes a new value only with
     * the whole field cleared. The negative forms go back to its default, relatime.
     */
    private static long atime(String o) {
        return switch (o) {
            case "rnoatime" -> MOUNT_ATTR_NOATIME;
            case "rstrictatime" -> MOUNT_ATTR_STRICTATIME;
            default -> MOUNT_ATTR_RELATIME;
        };
    }
}
