package io.jsyd.runtime.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Builds a {@link SeccompProgram} into a loadable {@link SeccompFilter} with
 * libseccomp, with runc's choices where libseccomp leaves one:
 * <ul>
 * <li>a syscall name the library does not know is skipped (and reported), since the
 *     kernel may simply be older or newer than the profile;</li>
 * <li>a rule whose action is the default action is dropped: it changes nothing and
 *     libseccomp refuses it;</li>
 * <li>conditions on different arguments make one rule (all must hold); two
 *     conditions on the same argument, which libseccomp cannot put in one rule,
 *     make one rule each (either may hold), as runc has always done;</li>
 * <li>more than 32 rules get libseccomp's binary-tree syscall lookup.</li>
 * </ul>
 */
public final class SeccompCompiler {
    /** runc's threshold for the binary tree: below it, the linear list is as fast. */
    static final int BINARY_TREE_THRESHOLD = 32;

    private final Libseccomp lib;

    public SeccompCompiler(Libseccomp lib) {
        this.lib = lib;
    }

    /** The compiler of the system's libseccomp; an IllegalStateException if there is none. */
    public static SeccompCompiler system() {
        return new SeccompCompiler(Libseccomp.get());
    }

    /** The filter and the rules left out because the library does not know their syscall. */
    public record Result(SeccompFilter filter, List<SyscallRule> skipped) {
        public Result {
            skipped = List.copyOf(skipped);
        }
    }

    /** A rule libseccomp refused, with its errno: the profile asks for something impossible. */
    public static final class RejectedRuleException extends IllegalArgumentException {
        private final transient SyscallRule rule;
        private final int errno;

        RejectedRuleException(SyscallRule rule, int errno) {
            super("libseccomp refuses the rule for \"" + rule.syscall() + "\" (" + rule.action().label() + "): "
                    + io.jsyd.runtime.linux.Errno.describe(errno));
            this.rule = rule;
            this.errno = errno;
        }

        public SyscallRule rule() {
            return rule;
        }

        public int errno() {
            return errno;
        }
    }

    public Result compile(SeccompProgram program) {
        List<SyscallRule> skipped = new ArrayList<>();
        try (Libseccomp.Context ctx = lib.context(program.defaultAction())) {
            // The init loads the program itself, with the flags below; these library
            // attributes only matter to seccomp_load, which is never called.
            ctx.setAttribute(SeccompConstants.SCMP_FLTATR_CTL_NNP, 0, "no_new_privs off");
            for (String arch : program.architectures()) {
                OptionalInt token = lib.architecture(arch);
                if (token.isEmpty()) {
                    throw new IllegalArgumentException("architecture \"" + arch + "\" is not known to libseccomp "
                            + lib.version());
                }
                ctx.addArchitecture(token.getAsInt(), arch);
            }
            if (program.rules().size() > BINARY_TREE_THRESHOLD) {
                ctx.setAttribute(SeccompConstants.SCMP_FLTATR_CTL_OPTIMIZE, 2, "binary tree optimization");
            }
            for (SyscallRule rule : program.rules()) {
                if (rule.action().equals(program.defaultAction())) {
                    continue;
                }
                OptionalInt nr = lib.syscall(rule.syscall());
                if (nr.isEmpty()) {
                    skipped.add(rule);
                    continue;
                }
                for (List<ArgCondition> conditions : split(rule.conditions())) {
                    int rc = ctx.addRule(rule.action(), nr.getAsInt(), conditions);
                    if (rc < 0) {
                        throw new RejectedRuleException(rule, -rc);
                    }
                }
            }
            byte[] bpf = ctx.export();
            long flags = 0;
            for (FilterFlag f : program.flags()) {
                flags |= f.bit();
            }
            if (program.hasListener()) {
                flags |= SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER;
            }
            return new Result(new SeccompFilter(bpf, flags, program.hasListener()), skipped);
        }
    }

    /** One condition list per libseccomp rule: together unless two compare the same argument. */
    static List<List<ArgCondition>> split(List<ArgCondition> conditions) {
        boolean[] seen = new boolean[ArgCondition.MAX_INDEX + 1];
        for (ArgCondition c : conditions) {
            if (seen[c.index()]) {
                return conditions.stream().map(List::of).toList();
            }
            seen[c.index()] = true;
        }
        return List.of(conditions);
    }
}
