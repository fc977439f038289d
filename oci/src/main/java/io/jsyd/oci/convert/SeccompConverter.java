package io.jsyd.oci.convert;

import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.model.LinuxSeccomp;
import io.jsyd.oci.spec.model.LinuxSeccompArg;
import io.jsyd.oci.spec.model.LinuxSyscall;
import io.jsyd.oci.spec.model.SeccompArch;
import io.jsyd.oci.spec.model.SeccompFlag;
import io.jsyd.oci.spec.model.SeccompOperator;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.seccomp.ArgCondition;
import io.jsyd.runtime.seccomp.ArgOperator;
import io.jsyd.runtime.seccomp.FilterFlag;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import io.jsyd.runtime.seccomp.SeccompCompiler;
import io.jsyd.runtime.seccomp.SeccompFilter;
import io.jsyd.runtime.seccomp.SeccompProgram;
import io.jsyd.runtime.seccomp.SyscallRule;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code linux.seccomp} into a compiled filter, with runc's meaning of every field
 * (libcontainer/specconv and libcontainer/seccomp): errnoRet defaults to EPERM,
 * TSYNC is accepted and has nothing to do, a missing {@code flags} means
 * SPEC_ALLOW where the kernel has it, and a syscall name libseccomp does not know
 * is skipped with a warning. Whatever the library or the kernel cannot do is an
 * error at its JSON path.
 */
public final class SeccompConverter {
    private static final String BASE = "$.linux.seccomp";
    /** runc's errno when a profile names none. */
    private static final int DEFAULT_ERRNO = Errno.EPERM.number();
    /**
     * The init hands the listener fd to its parent with sendmsg right after loading
     * the filter: a notifying sendmsg would wait for an agent that only that call
     * can reach (runc refuses write for the same reason).
     */
    static final String HANDOFF_SYSCALL = "sendmsg";

    /** The filter (null when there is none or on errors) and what the conversion found. */
    public record Result(SeccompFilter filter, List<SpecProblem> errors, List<SpecProblem> warnings) {
        public Result {
            errors = List.copyOf(errors);
            warnings = List.copyOf(warnings);
        }
    }

    private final Path configFile;
    private final Map<SeccompAction, Boolean> accepted = new HashMap<>();
    private final List<SpecProblem> errors = new ArrayList<>();
    private final List<SpecProblem> warnings = new ArrayList<>();

    private SeccompConverter(Path configFile) {
        this.configFile = configFile;
    }

    public static Result convert(LinuxSeccomp seccomp, Path configFile) {
        SeccompConverter c = new SeccompConverter(configFile);
        SeccompFilter filter = seccomp == null ? null : c.run(seccomp);
        return new Result(c.errors.isEmpty() ? filter : null, c.errors, c.warnings);
    }

    private void error(String path, String message) {
        errors.add(new SpecProblem(configFile, path, message));
    }

    private void warn(String path, String message) {
        warnings.add(new SpecProblem(configFile, path, message));
    }

    /** The kernel record of a profile, before it is compiled (for the benchmark); null on errors. */
    static SeccompProgram program(LinuxSeccomp seccomp, Path configFile) {
        SeccompConverter c = new SeccompConverter(configFile);
        SeccompProgram program = c.program(Libseccomp.get(), seccomp);
        return c.errors.isEmpty() ? program : null;
    }

    private SeccompFilter run(LinuxSeccomp s) {
        Optional<Libseccomp> loaded = Libseccomp.load();
        if (loaded.isEmpty()) {
            error(BASE, "seccomp needs libseccomp, which is not available: " + Libseccomp.unavailableReason());
            return null;
        }
        Libseccomp lib = loaded.get();
        SeccompProgram program = program(lib, s);
        if (program == null) {
            return null;
        }
        SeccompCompiler.Result compiled;
        try {
            compiled = new SeccompCompiler(lib).compile(program);
        } catch (SeccompCompiler.RejectedRuleException e) {
            error(e.rule().origin(), e.getMessage());
            return null;
        } catch (IllegalArgumentException e) {
            error(BASE, e.getMessage());
            return null;
        }
        for (SyscallRule skipped : compiled.skipped()) {
            warn(skipped.origin(), "\"" + skipped.syscall() + "\" is not a syscall libseccomp " + lib.version()
                    + " knows; the rule is skipped, so the default action applies to it");
        }
        return compiled.filter();
    }

    private SeccompProgram program(Libseccomp lib, LinuxSeccomp s) {
        String library = "libseccomp " + lib.version();
        SeccompAction defaultAction = null;
        if (s.getDefaultAction() == null) {
            error(BASE + ".defaultAction", "required, but missing");
        } else {
            defaultAction = action(lib, library, s.getDefaultAction(), s.getDefaultErrnoRet(),
                    BASE + ".defaultAction", BASE + ".defaultErrnoRet");
            if (defaultAction == SeccompAction.NOTIFY) {
                error(BASE + ".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action: it would trap the"
                        + " runtime's own syscalls before a listener has the notify fd");
                defaultAction = null;
            }
        }
        List<String> archs = architectures(lib, library, s.getArchitectures());
        List<SyscallRule> rules = rules(lib, library, s.getSyscalls());
        Set<FilterFlag> flags = flags(lib, s.getFlags(), rules);
        if (!errors.isEmpty() || defaultAction == null) {
            return null;
        }
        return new SeccompProgram(defaultAction, archs, flags, rules);
    }

    private SeccompAction action(Libseccomp lib, String library, io.jsyd.oci.spec.model.SeccompAction oci, Long errnoRet,
                                 String actionPath, String errnoPath) {
        if (errnoRet != null && (errnoRet < 0 || errnoRet > SeccompAction.MAX_DATA)) {
            error(errnoPath, errnoRet + " does not fit the 16 bits seccomp returns (0 to " + SeccompAction.MAX_DATA + ")");
            return null;
        }
        SeccompAction action = kernelAction(oci, errnoRet == null ? DEFAULT_ERRNO : errnoRet.intValue());
        if (errnoRet != null && !(action instanceof SeccompAction.Errno) && !(action instanceof SeccompAction.Trace)) {
            error(errnoPath, "is set but " + oci.value() + " returns no errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do");
            return null;
        }
        if (!accepted.computeIfAbsent(action, lib::accepts)) {
            boolean valueRefused = (action instanceof SeccompAction.Errno || action instanceof SeccompAction.Trace)
                    && errnoRet != null;
            error(valueRefused ? errnoPath : actionPath, action.label() + " is refused by " + library
                    + " on this kernel" + (valueRefused ? " (errno values run from 0 to 4094)" : ""));
            return null;
        }
        return action;
    }

    /**
     * The kernel's action for an OCI action name; {@code data} is the errno of ERRNO
     * and the message of TRACE. SCMP_ACT_KILL is KILL_THREAD, as in libseccomp.
     */
    public static SeccompAction kernelAction(io.jsyd.oci.spec.model.SeccompAction oci, int data) {
        return switch (oci) {
            case SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD -> SeccompAction.KILL_THREAD;
            case SCMP_ACT_KILL_PROCESS -> SeccompAction.KILL_PROCESS;
            case SCMP_ACT_TRAP -> SeccompAction.TRAP;
            case SCMP_ACT_ERRNO -> SeccompAction.errno(data);
            case SCMP_ACT_TRACE -> SeccompAction.trace(data);
            case SCMP_ACT_ALLOW -> SeccompAction.ALLOW;
            case SCMP_ACT_LOG -> SeccompAction.LOG;
            case SCMP_ACT_NOTIFY -> SeccompAction.NOTIFY;
        };
    }

    /** The seccomp(2) flag of an OCI flag name; null for TSYNC, which the single-threaded init has no use for. */
    public static FilterFlag kernelFlag(SeccompFlag flag) {
        return switch (flag) {
            case SECCOMP_FILTER_FLAG_TSYNC -> null;
            case SECCOMP_FILTER_FLAG_LOG -> FilterFlag.LOG;
            case SECCOMP_FILTER_FLAG_SPEC_ALLOW -> FilterFlag.SPEC_ALLOW;
            case SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV -> FilterFlag.WAIT_KILLABLE_RECV;
        };
    }

    /** The operator of an OCI operator name. */
    public static ArgOperator kernelOperator(SeccompOperator op) {
        return switch (op) {
            case SCMP_CMP_NE -> ArgOperator.NE;
            case SCMP_CMP_LT -> ArgOperator.LT;
            case SCMP_CMP_LE -> ArgOperator.LE;
            case SCMP_CMP_EQ -> ArgOperator.EQ;
            case SCMP_CMP_GE -> ArgOperator.GE;
            case SCMP_CMP_GT -> ArgOperator.GT;
            case SCMP_CMP_MASKED_EQ -> ArgOperator.MASKED_EQ;
        };
    }

    private List<String> architectures(Libseccomp lib, String library, List<SeccompArch> list) {
        List<String> names = new ArrayList<>();
        for (int i = 0; list != null && i < list.size(); i++) {
            String oci = list.get(i).value();
            String name = libseccompArchitecture(oci);
            int err = lib.architectureError(name);
            if (lib.architecture(name).isEmpty()) {
                error(BASE + ".architectures[" + i + "]", oci + " is not an architecture " + library + " knows");
            } else if (err != 0) {
                error(BASE + ".architectures[" + i + "]", library + " cannot filter " + oci + " on this machine: "
                        + Errno.describe(err));
            } else {
                names.add(name);
            }
        }
        return names;
    }

    /** SCMP_ARCH_X86_64 is libseccomp's "x86_64": the header's names, lower case. */
    public static String libseccompArchitecture(String ociName) {
        return ociName.substring("SCMP_ARCH_".length()).toLowerCase(Locale.ROOT);
    }

    private Set<FilterFlag> flags(Libseccomp lib, List<SeccompFlag> list, List<SyscallRule> rules) {
        Set<FilterFlag> flags = EnumSet.noneOf(FilterFlag.class);
        if (list == null) {
            // runc: no flags at all (not even []) means SPEC_ALLOW where it is supported
            if (lib.kernelAccepts(FilterFlag.SPEC_ALLOW)) {
                flags.add(FilterFlag.SPEC_ALLOW);
            }
            return flags;
        }
        boolean notifies = rules.stream().anyMatch(r -> r.action() == SeccompAction.NOTIFY);
        for (int i = 0; i < list.size(); i++) {
            String at = BASE + ".flags[" + i + "]";
            FilterFlag flag = kernelFlag(list.get(i));
            if (flag == null) {
                continue;
            }
            if (!lib.kernelAccepts(flag)) {
                error(at, list.get(i).value() + " is not supported by this kernel");
            } else if (flag == FilterFlag.WAIT_KILLABLE_RECV && !notifies) {
                error(at, list.get(i).value() + " needs a rule with SCMP_ACT_NOTIFY: the kernel takes it only"
                        + " for a filter with a listener");
            } else {
                flags.add(flag);
            }
        }
        return flags;
    }

    private List<SyscallRule> rules(Libseccomp lib, String library, List<LinuxSyscall> list) {
        List<SyscallRule> rules = new ArrayList<>();
        for (int i = 0; list != null && i < list.size(); i++) {
            LinuxSyscall call = list.get(i);
            String at = BASE + ".syscalls[" + i + "]";
            if (call.getAction() == null) {
                error(at + ".action", "required, but missing");
                continue;
            }
            SeccompAction action = action(lib, library, call.getAction(), call.getErrnoRet(), at + ".action",
                    at + ".errnoRet");
            List<ArgCondition> conditions = conditions(call.getArgs(), at);
            List<String> names = call.getNames() == null ? List.of() : call.getNames();
            if (names.isEmpty()) {
                error(at + ".names", "a rule needs at least one syscall name");
            }
            if (action == null || conditions == null) {
                continue;
            }
            for (int k = 0; k < names.size(); k++) {
                String name = names.get(k);
                String origin = at + ".names[" + k + "]";
                if (name == null || name.isEmpty()) {
                    error(origin, "is empty; it must name a syscall");
                } else if (action == SeccompAction.NOTIFY && name.equals(HANDOFF_SYSCALL)) {
                    error(origin, "\"" + name + "\" cannot use SCMP_ACT_NOTIFY: the runtime hands the notify fd over"
                            + " with it after loading the filter, before any listener has the fd");
                } else {
                    rules.add(new SyscallRule(name, action, conditions, origin));
                }
            }
        }
        return rules;
    }

    private List<ArgCondition> conditions(List<LinuxSeccompArg> args, String at) {
        List<ArgCondition> conditions = new ArrayList<>();
        boolean ok = true;
        for (int k = 0; args != null && k < args.size(); k++) {
            LinuxSeccompArg a = args.get(k);
            String argAt = at + ".args[" + k + "]";
            Long index = a.getIndex();
            if (index == null || index < 0 || index > ArgCondition.MAX_INDEX) {
                error(argAt + ".index", index + " is not a syscall argument index; syscalls have six arguments, 0 to "
                        + ArgCondition.MAX_INDEX);
                ok = false;
                continue;
            }
            if (a.getOp() == null) {
                error(argAt + ".op", "required, but missing");
                ok = false;
                continue;
            }
            conditions.add(new ArgCondition(index.intValue(), kernelOperator(a.getOp()), u64(a.getValue()),
                    u64(a.getValueTwo())));
        }
        return ok ? conditions : null;
    }

    /** A uint64 from the JSON as the 64 bits libseccomp compares (the schema keeps it in range). */
    private static long u64(BigInteger v) {
        return v == null ? 0 : v.longValue();
    }
}
