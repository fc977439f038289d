package io.jsyd.runtime.trace;

import static io.jsyd.runtime.linux.LinuxConstants.MAP_ANONYMOUS;
import static io.jsyd.runtime.linux.LinuxConstants.MAP_SHARED;
import static io.jsyd.runtime.linux.LinuxConstants.O_ACCMODE;
import static io.jsyd.runtime.linux.LinuxConstants.O_RDONLY;
import static io.jsyd.runtime.linux.LinuxConstants.PROT_EXEC;
import static io.jsyd.runtime.linux.LinuxConstants.PROT_WRITE;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.policy.Action;
import io.jsyd.runtime.policy.ForceRule;
import io.jsyd.runtime.policy.ResourceLimits;
import io.jsyd.runtime.policy.TraceCategory;
import io.jsyd.runtime.policy.TracePolicy;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The decisions of the ptrace layer, from plain values (no process is touched
 * here), as seed 004 makes them. Each returns the first check that did not simply
 * allow; empty means the call goes ahead silently.
 */
public final class TraceChecks {
    private static final String WX_RULE = "trace/allow_unsafe_memory:0";
    private static final String STACK_RULE = "trace/allow_unsafe_stack:0";

    private TraceChecks() {
    }

    /**
     * W^X at mmap: no mapping both writable and executable, and none executable that
     * is anonymous or shared (code nobody can check, or that another process can change).
     */
    public static Optional<Refusal> mmap(TracePolicy p, long prot, long flags) {
        if (!p.isOn(TraceCategory.MEMORY) || (prot & PROT_EXEC) == 0) {
            return Optional.empty();
        }
        if ((prot & PROT_WRITE) != 0) {
            return wx("writable and executable mapping");
        }
        if ((flags & MAP_ANONYMOUS) != 0) {
            return wx("executable anonymous mapping");
        }
        if ((flags & MAP_SHARED) != 0) {
            return wx("executable shared mapping");
        }
        return Optional.empty();
    }

    /**
     * W^X for a file mapped executable: not through an fd open for writing (the
     * process could change the code after any check; a memfd is the usual case).
     *
     * @param openFlags the fd's status flags (fdinfo "flags")
     */
    public static Optional<Refusal> mappedFd(TracePolicy p, int openFlags) {
        if (!p.isOn(TraceCategory.MEMORY) || (openFlags & O_ACCMODE) == O_RDONLY) {
            return Optional.empty();
        }
        return wx("executable mapping of a file open for writing");
    }

    /**
     * W^X at mprotect: exec may not be added together with write, nor to memory that
     * is writable now or anonymous (the JIT pattern: write code, then make it executable).
     *
     * @param current the mapping that holds the start address, if any
     */
    public static Optional<Refusal> mprotect(TracePolicy p, long prot, Optional<Mapping> current) {
        if (!p.isOn(TraceCategory.MEMORY) || (prot & PROT_EXEC) == 0) {
            return Optional.empty();
        }
        if ((prot & PROT_WRITE) != 0) {
            return wx("writable and executable protection");
        }
        if (current.isEmpty()) {
            return Optional.empty();
        }
        if (current.get().writable()) {
            return wx("exec added to writable memory");
        }
        if (current.get().anonymous()) {
            return wx("exec added to anonymous memory");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> wx(String reason) {
        return Optional.of(new Refusal(TraceCategory.MEMORY, Action.DENY, Errno.EACCES.number(), reason, WX_RULE));
    }

    /** The exec checks in Syd's order: trusted path, executable stack, then the checksum. */
    public static Optional<Refusal> exec(TracePolicy p, ExecImage image) {
        if (p.isOn(TraceCategory.TPE)) {
            Optional<String> untrusted = untrusted(p, image);
            if (untrusted.isPresent()) {
                return refusal(p, TraceCategory.TPE, Errno.EACCES.number(), untrusted.get(), Optional.empty());
            }
        }
        if (p.isOn(TraceCategory.STACK) && image.execStack()) {
            return Optional.of(new Refusal(TraceCategory.STACK, Action.DENY, Errno.EACCES.number(),
                    "executable stack requested by the ELF header", STACK_RULE));
        }
        if (p.isOn(TraceCategory.FORCE)) {
            ForceRule rule = p.force().get(image.path());
            if (rule == null) {
                return refusal(p, TraceCategory.FORCE, Errno.EACCES.number(), "no checksum listed for the binary",
                        Optional.empty());
            }
            byte[] actual = image.sha256().orElseThrow(() -> new IllegalArgumentException(
                    "force is on: the image needs its SHA-256"));
            if (!MessageDigest.isEqual(actual, rule.digest())) {
                Action action = rule.action().orElse(p.action(TraceCategory.FORCE));
                return action == Action.ALLOW ? Optional.empty()
                        : Optional.of(new Refusal(TraceCategory.FORCE, action, Errno.EACCES.number(),
                                "checksum mismatch: sha256 " + HexFormat.of().formatHex(actual), rule.line()));
            }
        }
        return Optional.empty();
    }

    /** Why the directory is not trusted, if it is not. */
    static Optional<String> untrusted(TracePolicy p, ExecImage image) {
        boolean owner = image.dirUid() == 0 || image.dirUid() == image.trustedUid()
                || (p.tpeUserOwned() && image.dirUid() == image.callerUid());
        if (!owner) {
            return Optional.of("directory owned by uid " + image.dirUid() + ", not root");
        }
        if ((image.dirMode() & 0022) != 0) {
            return Optional.of(String.format("directory writable by group or others (mode %04o)", image.dirMode() & 07777));
        }
        return Optional.empty();
    }

    /**
     * {@code mem/max} against the proportional set size and {@code mem/vm_max}
     * against the virtual size, each with the size the call adds (Syd's rule: refused
     * when the sum reaches the limit). ENOMEM.
     */
    public static Optional<Refusal> memory(TracePolicy p, ResourceLimits limits, long pss, long vmSize, long adds) {
        if (!p.isOn(TraceCategory.MEM) || adds <= 0) {
            return Optional.empty();
        }
        if (limits.vmMax().isPresent() && vmSize + adds >= limits.vmMax().getAsLong()) {
            return refusal(p, TraceCategory.MEM, Errno.ENOMEM.number(), "virtual size " + vmSize + " + " + adds
                    + " reaches mem/vm_max " + limits.vmMax().getAsLong(), Optional.empty());
        }
        if (limits.memMax().isPresent() && pss + adds >= limits.memMax().getAsLong()) {
            return refusal(p, TraceCategory.MEM, Errno.ENOMEM.number(), "memory " + pss + " + " + adds
                    + " reaches mem/max " + limits.memMax().getAsLong(), Optional.empty());
        }
        return Optional.empty();
    }

    /** {@code pid/max}: one more task when {@code tasks} exist (or are being made). EAGAIN, as fork's own limit. */
    public static Optional<Refusal> tasks(TracePolicy p, ResourceLimits limits, int tasks) {
        if (!p.isOn(TraceCategory.PID) || limits.pidMax().isEmpty() || tasks < limits.pidMax().getAsInt()) {
            return Optional.empty();
        }
        return refusal(p, TraceCategory.PID, Errno.EAGAIN.number(), tasks + " tasks reach pid/max "
                + limits.pidMax().getAsInt(), Optional.empty());
    }

    private static Optional<Refusal> refusal(TracePolicy p, TraceCategory c, int errno, String reason,
                                             Optional<String> rule) {
        Action action = p.action(c);
        if (action == Action.ALLOW) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(c, action, errno, reason,
                rule.orElse("default/" + c.spelling() + ":" + action.spelling())));
    }
}
