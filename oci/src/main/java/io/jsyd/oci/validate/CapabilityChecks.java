package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.Capabilities;
import io.jsyd.oci.spec.model.Process;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * process.capabilities. The spec wants unknown capabilities logged as warnings,
 * not errors (config.md "Linux Process"), which is what runc does. Set
 * combinations that capset(2) refuses with EPERM are errors: runc fails to start
 * such a container ("unable to apply caps: operation not permitted").
 */
final class CapabilityChecks {
    /** capabilities(7), CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40). */
    static final Set<String> KNOWN = Set.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
            "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    private static final String BASE = "$.process.capabilities";

    private CapabilityChecks() {
    }

    static void names(Context c, Problems out) {
        Capabilities caps = capabilities(c);
        if (caps == null) {
            return;
        }
        unknown("bounding", caps.getBounding(), out);
        unknown("effective", caps.getEffective(), out);
        unknown("inheritable", caps.getInheritable(), out);
        unknown("permitted", caps.getPermitted(), out);
        unknown("ambient", caps.getAmbient(), out);
    }

    /*
     * An absent set is applied as an empty one (runc clears the bounding set and
     * capsets what is listed), so it counts as empty here. The ambient set is not
     * checked: runc's own default config lists ambient capabilities that are not
     * inheritable, and runc silently skips those.
     */
    static void subsets(Context c, Problems out) {
        Capabilities caps = capabilities(c);
        if (caps == null) {
            return;
        }
        subset("effective", caps.getEffective(), "permitted", caps.getPermitted(),
                "capset(2) refuses an effective capability that is not permitted", out);
        subset("inheritable", caps.getInheritable(), "bounding", caps.getBounding(),
                "capset(2) refuses an inheritable capability outside the bounding set", out);
    }

    private static Capabilities capabilities(Context c) {
        Process p = c.spec().getProcess();
        return p == null ? null : p.getCapabilities();
    }

    private static void unknown(String set, List<String> names, Problems out) {
        List<String> all = Json.list(names);
        for (int i = 0; i < all.size(); i++) {
            if (!KNOWN.contains(all.get(i))) {
                out.warning(Json.index(BASE + "." + set, i), Json.quote(all.get(i))
                        + " is not a Linux capability jsyd-oci knows; it is ignored");
            }
        }
    }

    private static void subset(String set, List<String> names, String superName, List<String> superNames,
                               String why, Problems out) {
        Set<String> superset = new HashSet<>(Json.list(superNames));
        List<String> all = Json.list(names);
        for (int i = 0; i < all.size(); i++) {
            String cap = all.get(i);
            if (KNOWN.contains(cap) && !superset.contains(cap)) {
                out.error(Json.index(BASE + "." + set, i), Json.quote(cap) + " is not in " + superName + "; " + why);
            }
        }
    }
}
