package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.LinuxSeccomp;
import io.jsyd.oci.spec.model.LinuxSeccompArg;
import io.jsyd.oci.spec.model.LinuxSyscall;
import io.jsyd.oci.spec.model.SeccompAction;
import java.util.List;

/** linux.seccomp (config-linux.md "Seccomp"), plus the notify rules runc enforces. */
final class SeccompChecks {
    /** Syscalls take at most six arguments, indexes 0 to 5. */
    static final int MAX_ARG_INDEX = 5;
    private static final String BASE = "$.linux.seccomp";

    private SeccompChecks() {
    }

    static void seccomp(Context c, Problems out) {
        LinuxSeccomp seccomp = c.linux() == null ? null : c.linux().getSeccomp();
        if (seccomp == null) {
            return;
        }
        SeccompAction defaultAction = seccomp.getDefaultAction();
        // A default notify would also trap the syscalls the runtime itself makes
        // between loading the filter and execve, before anyone listens (runc refuses it).
        if (defaultAction == SeccompAction.SCMP_ACT_NOTIFY) {
            out.error(BASE + ".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action: it would trap the"
                    + " runtime's own syscalls before a listener has the notify fd");
        }
        if (seccomp.getDefaultErrnoRet() != null && !takesErrno(defaultAction)) {
            out.error(BASE + ".defaultErrnoRet", "is set but " + defaultAction
                    + " returns no errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do");
        }
        String notifyAt = null;
        List<LinuxSyscall> syscalls = Json.list(seccomp.getSyscalls());
        for (int i = 0; i < syscalls.size(); i++) {
            LinuxSyscall rule = syscalls.get(i);
            String at = Json.index(BASE + ".syscalls", i);
            rule(rule, at, out);
            if (rule.getAction() == SeccompAction.SCMP_ACT_NOTIFY && notifyAt == null) {
                notifyAt = at + ".action";
            }
        }
        listener(seccomp, notifyAt, out);
    }

    private static void rule(LinuxSyscall rule, String at, Problems out) {
        List<String> names = Json.list(rule.getNames());
        if (rule.getNames() != null && names.isEmpty()) {
            out.error(at + ".names", "is empty; a rule needs at least one syscall name");
        }
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k);
            if (name.isEmpty()) {
                out.error(Json.index(at + ".names", k), "is empty; it must name a syscall");
            } else if (name.equals("write") && rule.getAction() == SeccompAction.SCMP_ACT_NOTIFY) {
                // As runc: the runtime reports the notify fd to its parent with write
                // after loading the filter; notifying it would hang the create.
                out.error(Json.index(at + ".names", k), "\"write\" cannot use SCMP_ACT_NOTIFY: the runtime"
                        + " writes after loading the filter, before a listener has the notify fd");
            }
        }
        if (rule.getErrnoRet() != null && !takesErrno(rule.getAction())) {
            out.error(at + ".errnoRet", "is set but " + rule.getAction()
                    + " returns no errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do");
        }
        List<LinuxSeccompArg> args = Json.list(rule.getArgs());
        for (int k = 0; k < args.size(); k++) {
            Long index = args.get(k).getIndex();
            if (index != null && (index < 0 || index > MAX_ARG_INDEX)) {
                out.error(Json.index(at + ".args", k) + ".index", index + " is not a syscall argument index;"
                        + " syscalls have six arguments, 0 to " + MAX_ARG_INDEX);
            }
        }
    }

    private static void listener(LinuxSeccomp seccomp, String notifyAt, Problems out) {
        String path = seccomp.getListenerPath();
        boolean hasPath = path != null && !path.isEmpty();
        if (notifyAt != null && !hasPath) {
            out.error(BASE + ".listenerPath", "is missing but " + notifyAt
                    + " is SCMP_ACT_NOTIFY; the notify fd needs a listener to go to");
        }
        if (hasPath && !path.startsWith("/")) {
            // The spec does not say; runc connects from the bundle directory.
            out.warning(BASE + ".listenerPath", Json.quote(path) + " is relative; it is taken relative to the bundle"
                    + " directory, as runc does");
        }
        String metadata = seccomp.getListenerMetadata();
        if (metadata != null && !metadata.isEmpty() && !hasPath) {
            out.error(BASE + ".listenerMetadata", "is set without listenerPath; it is only sent to a listener");
        }
    }

    private static boolean takesErrno(SeccompAction action) {
        return action == SeccompAction.SCMP_ACT_ERRNO || action == SeccompAction.SCMP_ACT_TRACE;
    }
}
