package io.jsyd.runtime;

import io.jsyd.runtime.linux.Errno;

/** A system call that failed: "mount proc on /proc: EPERM (operation not permitted)". */
public final class SyscallException extends KernelException {
    private final String syscall;
    private final int errno;
    private final String subject;

    public SyscallException(String syscall, int errno, String subject) {
        super((subject == null || subject.isEmpty() ? syscall : syscall + " " + subject)
                + ": " + Errno.describe(errno));
        this.syscall = syscall;
        this.errno = errno;
        this.subject = subject == null ? "" : subject;
    }

    public String syscall() {
        return syscall;
    }

    public int errno() {
        return errno;
    }

    public String subject() {
        return subject;
    }

    public boolean is(Errno e) {
        return errno == e.number();
    }
}
