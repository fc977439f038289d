package io.jsyd.runtime.trace;

import static io.jsyd.runtime.linux.LinuxConstants.NATIVE_AUDIT_ARCH;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_CONT;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_GETEVENTMSG;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_GET_SYSCALL_INFO;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_INFO_ARCH;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_INFO_OP;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_INFO_SECCOMP_ARGS;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_INFO_SECCOMP_NR;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_LISTEN;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_POKEUSER;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_SEIZE;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_SYSCALL;
import static io.jsyd.runtime.linux.LinuxConstants.PTRACE_SYSCALL_INFO_SECCOMP;
import static io.jsyd.runtime.linux.LinuxConstants.SIZEOF_PTRACE_SYSCALL_INFO;
import static io.jsyd.runtime.linux.LinuxConstants.USER_REGS_RETURN;
import static io.jsyd.runtime.linux.LinuxConstants.USER_REGS_SYSCALL_NR;

import com.sun.jna.Native;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import java.nio.ByteBuffer;

/**
 * Checked ptrace requests for the one thread that owns the tracees (ptrace
 * relations belong to a thread, not a process). Not thread-safe: it keeps one
 * buffer for the syscall info, the event message and the wait status. A tracee that vanished (killed meanwhile) is a
 * {@link SyscallException} with ESRCH, which the loop treats as "gone".
 */
final class Ptrace {
    private final NativeBuffer info = new NativeBuffer(SIZEOF_PTRACE_SYSCALL_INFO);
    private final NativeBuffer message = new NativeBuffer(8);
    private final NativeBuffer status = new NativeBuffer(4);

    /** The arguments of a syscall at its seccomp stop. */
    record SeccompStop(int nr, long[] args) {
    }

    /** Whether this machine's registers are known to the layer (where a denial writes the return value). */
    static boolean supported() {
        return USER_REGS_SYSCALL_NR >= 0 && NATIVE_AUDIT_ARCH != 0;
    }

    static void seize(int pid, long options) {
        check(TraceCalls.ptrace(PTRACE_SEIZE, pid, 0, options), "ptrace(PTRACE_SEIZE)", pid);
    }

    static void cont(int pid, int signal) {
        check(TraceCalls.ptrace(PTRACE_CONT, pid, 0, signal), "ptrace(PTRACE_CONT)", pid);
    }

    /** Resumes to the syscall's exit stop. */
    static void toSyscallExit(int pid) {
        check(TraceCalls.ptrace(PTRACE_SYSCALL, pid, 0, 0), "ptrace(PTRACE_SYSCALL)", pid);
    }

    /** Leaves a group-stopped tracee stopped, but lets the tracer see its next event (SIGCONT, SIGKILL). */
    static void listen(int pid) {
        check(TraceCalls.ptrace(PTRACE_LISTEN, pid, 0, 0), "ptrace(PTRACE_LISTEN)", pid);
    }

    long eventMessage(int pid) {
        check(TraceCalls.ptrace(PTRACE_GETEVENTMSG, pid, 0, message.address), "ptrace(PTRACE_GETEVENTMSG)", pid);
        return message.view.getLong(0);
    }

    /** waitpid(2) into the reused status word: the pid, or -1 (errno in Native.getLastError). */
    int waitpid(int pid, int options) {
        return TraceCalls.waitpid(pid, status.address, options);
    }

    /** The status the last successful {@link #waitpid} stored. */
    int lastStatus() {
        return status.view.getInt(0);
    }

    /** The syscall a tracee in a seccomp stop is making; other architectures than the native one are refused. */
    SeccompStop seccompStop(int pid) {
        long n = TraceCalls.ptrace(PTRACE_GET_SYSCALL_INFO, pid, SIZEOF_PTRACE_SYSCALL_INFO, info.address);
        check(n, "ptrace(PTRACE_GET_SYSCALL_INFO)", pid);
        ByteBuffer v = info.view;
        if ((v.get(PTRACE_INFO_OP) & 0xff) != PTRACE_SYSCALL_INFO_SECCOMP) {
            throw new IllegalStateException("pid " + pid + " is not in a seccomp stop (syscall info op "
                    + v.get(PTRACE_INFO_OP) + ")");
        }
        long arch = v.getInt(PTRACE_INFO_ARCH) & 0xffffffffL;
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = v.getLong(PTRACE_INFO_SECCOMP_ARGS + 8 * i);
        }
        // the filter kills other architectures; a foreign one here would be a bug in it
        int nr = arch == NATIVE_AUDIT_ARCH ? (int) v.getLong(PTRACE_INFO_SECCOMP_NR) : -1;
        return new SeccompStop(nr, args);
    }

    /** Skips the syscall of a tracee in a seccomp stop: it returns {@code -errno} without running. */
    static void skip(int pid, int errno) {
        check(TraceCalls.ptrace(PTRACE_POKEUSER, pid, USER_REGS_SYSCALL_NR, -1L), "ptrace(PTRACE_POKEUSER)", pid);
        check(TraceCalls.ptrace(PTRACE_POKEUSER, pid, USER_REGS_RETURN, -(long) errno), "ptrace(PTRACE_POKEUSER)", pid);
    }

    /** Sends a signal; a tracee that is already gone (ESRCH) is not an error. */
    static void signal(int pid, int signal) {
        if (TraceCalls.kill(pid, signal) == -1) {
            int errno = Native.getLastError();
            if (errno != Errno.ESRCH.number()) {
                throw new SyscallException("kill", errno, "pid " + pid + " signal " + signal);
            }
        }
    }

    private static void check(long rc, String call, int pid) {
        if (rc == -1) {
            throw new SyscallException(call, Native.getLastError(), "pid " + pid);
        }
    }

    static boolean gone(SyscallException e) {
        return e.is(Errno.ESRCH);
    }
}
