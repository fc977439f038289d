package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jsyd.runtime.SyscallException;

/**
 * A pidfd: a handle on one process that a reused pid can never redirect. It
 * becomes readable when the process exits (also for a process that is not our
 * child), and signals sent through it reach that process or fail with ESRCH.
 */
public final class Pidfd implements AutoCloseable {
    private final Fd fd;
    private final int pid;

    private Pidfd(Fd fd, int pid) {
        this.fd = fd;
        this.pid = pid;
    }

    /**
     * A pidfd for {@code pid}. Only safe while the pid cannot be reused: for our
     * own unreaped child, or when the caller checked the process's start time after.
     */
    public static Pidfd open(int pid) {
        long rc = Sys.C.syscall(new NativeLong(LinuxConstants.SYS_pidfd_open), pid, 0).longValue();
        if (rc == -1) {
            throw new SyscallException("pidfd_open", Native.getLastError(), "pid " + pid);
        }
        return new Pidfd(Fd.adopt((int) rc), pid);
    }

    /** Takes a pidfd received from another process, which says it is for {@code pid}. */
    public static Pidfd adopt(Fd fd, int pid) {
        return new Pidfd(fd, pid);
    }

    public Fd fd() {
        return fd;
    }

    public int pid() {
        return pid;
    }

    /**
     * A copy of the process's fd {@code targetFd} in this process (pidfd_getfd:
     * needs the right to ptrace it), close-on-exec.
     */
    public Fd takeFd(int targetFd) {
        long rc = Sys.C.syscall(new NativeLong(LinuxConstants.SYS_pidfd_getfd), fd.get(), targetFd, 0).longValue();
        if (rc == -1) {
            throw new SyscallException("pidfd_getfd", Native.getLastError(), "fd " + targetFd + " of pid " + pid);
        }
        return Fd.adopt((int) rc);
    }

    /** Sends {@code signal}; false when the process has exited already. */
    public boolean signal(int signal) {
        long rc = Sys.C.syscall(new NativeLong(LinuxConstants.SYS_pidfd_send_signal), fd.get(), signal, Pointer.NULL, 0)
                .longValue();
        if (rc == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.ESRCH.number()) {
            return false;
        }
        throw new SyscallException("pidfd_send_signal", errno, "pid " + pid + " with signal " + signal);
    }

    /** Waits until the process exits; true when it did, false after {@code timeoutMillis} (negative: no limit). */
    public boolean awaitExit(int timeoutMillis) {
        try (Memory pollfd = new Memory(LinuxConstants.SIZEOF_POLLFD)) {
            while (true) {
                pollfd.clear();
                pollfd.setInt(0, fd.get());
                pollfd.setShort(4, (short) LinuxConstants.POLLIN);
                int n = Sys.C.poll(pollfd, new NativeLong(1), timeoutMillis);
                if (n > 0) {
                    return true;
                }
                if (n == 0) {
                    return false;
                }
                int errno = Native.getLastError();
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("poll", errno, "pidfd of pid " + pid);
                }
            }
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
