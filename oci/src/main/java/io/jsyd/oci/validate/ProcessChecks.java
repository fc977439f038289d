package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.ConsoleSize;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.Rlimit;
import io.jsyd.oci.spec.model.User;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** process: what execve, setresuid, setrlimit and the oom score accept (config.md "Process"). */
final class ProcessChecks {
    /** The resource limits getrlimit(2) knows on Linux. */
    static final Set<String> RLIMITS = Set.of(
            "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
            "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
            "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK");

    /** (uid_t)-1 and (gid_t)-1: the set*id calls read them as "leave unchanged". */
    static final long NO_ID = 0xFFFF_FFFFL;

    private ProcessChecks() {
    }

    /*
     * The spec makes process optional until start, but runc's create and run both
     * refuse a config without one (validateProcessSpec), and so do we: a container
     * created without a process could never be started.
     */
    static void present(Context c, Problems out) {
        if (c.spec().getProcess() == null) {
            out.error("$.process", "is missing: create and run need the process the container starts");
        }
    }

    static void cwd(Context c, Problems out) {
        Process p = c.spec().getProcess();
        if (p == null || p.getCwd() == null) {
            return;
        }
        if (!p.getCwd().startsWith("/")) {
            out.error("$.process.cwd", Json.quote(p.getCwd())
                    + " is not an absolute path; the working directory must be absolute");
        }
    }

    static void args(Context c, Problems out) {
        Process p = c.spec().getProcess();
        if (p == null) {
            return;
        }
        List<String> args = Json.list(p.getArgs());
        if (args.isEmpty()) {
            out.error("$.process.args", "is missing or empty: its first entry names the program to run");
            return;
        }
        if (args.getFirst().isEmpty()) {
            out.error("$.process.args[0]", "is empty: it names the program to run");
        }
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).indexOf('\0') >= 0) {
                out.error(Json.index("$.process.args", i), "contains a NUL byte, which execve cannot pass");
            }
        }
    }

    static void env(Context c, Problems out) {
        Process p = c.spec().getProcess();
        if (p != null) {
            environment("$.process.env", p.getEnv(), out);
        }
    }

    /** environ entries as runc's prepareEnv accepts them: NAME=VALUE, a non-empty name, no NUL. */
    static void environment(String base, List<String> env, Problems out) {
        List<String> entries = Json.list(env);
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            String at = Json.index(base, i);
            int eq = entry.indexOf('=');
            if (eq < 0) {
                out.error(at, Json.quote(entry) + " is not of the form NAME=VALUE");
            } else if (eq == 0) {
                out.error(at, Json.quote(entry) + " has an empty variable name");
            } else if (entry.indexOf('\0') >= 0) {
                out.error(at, "contains a NUL byte, which execve cannot pass");
            }
        }
    }

    static void user(Context c, Problems out) {
        Process p = c.spec().getProcess();
        User user = p == null ? null : p.getUser();
        if (user == null) {
            return;
        }
        if (user.getUid() != null && user.getUid() == NO_ID) {
            out.error("$.process.user.uid", NO_ID + " is (uid_t)-1, which is not a user ID");
        }
        if (user.getGid() != null && user.getGid() == NO_ID) {
            out.error("$.process.user.gid", NO_ID + " is (gid_t)-1, which is not a group ID");
        }
        List<Long> extra = Json.list(user.getAdditionalGids());
        for (int i = 0; i < extra.size(); i++) {
            if (extra.get(i) != null && extra.get(i) == NO_ID) {
                out.error(Json.index("$.process.user.additionalGids", i),
                        NO_ID + " is (gid_t)-1, which is not a group ID");
            }
        }
    }

    /** The spec tells runtimes to ignore consoleSize without a terminal; say so. */
    static void consoleSize(Context c, Problems out) {
        Process p = c.spec().getProcess();
        ConsoleSize size = p == null ? null : p.getConsoleSize();
        if (size != null && !Boolean.TRUE.equals(p.getTerminal())) {
            out.warning("$.process.consoleSize", "is ignored because process.terminal is not true");
        }
    }

    static void oomScoreAdj(Context c, Problems out) {
        Process p = c.spec().getProcess();
        if (p == null || p.getOomScoreAdj() == null) {
            return;
        }
        long adj = p.getOomScoreAdj();
        if (adj < -1000 || adj > 1000) {
            out.error("$.process.oomScoreAdj", adj + " is outside -1000..1000, the range oom_score_adj accepts");
        }
    }

    static void rlimits(Context c, Problems out) {
        Process p = c.spec().getProcess();
        List<Rlimit> rlimits = p == null ? List.of() : Json.list(p.getRlimits());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < rlimits.size(); i++) {
            Rlimit r = rlimits.get(i);
            String at = Json.index("$.process.rlimits", i);
            String type = r.getType();
            if (type != null) {
                Integer first = seen.putIfAbsent(type, i);
                if (!RLIMITS.contains(type)) {
                    out.error(at + ".type", Json.quote(type) + " is not a Linux resource limit (see getrlimit(2))");
                } else if (first != null) {
                    out.error(at + ".type", Json.quote(type) + " is already set by "
                            + Json.index("$.process.rlimits", first) + "; each type may appear once");
                }
            }
            if (r.getSoft() != null && r.getHard() != null
                    && r.getSoft().compareTo(r.getHard()) > 0) {
                out.error(at + ".soft", r.getSoft() + " is above the hard limit "
                        + r.getHard() + "; setrlimit refuses a soft limit above the hard one");
            }
        }
    }
}
