package io.jsyd.runtime.linux;

import com.sun.jna.Native;
import io.jsyd.runtime.SyscallException;

/** errno capture in one place: every wrapper calls {@link #check} on the result. */
final class Sys {
    private Sys() {
    }

    static final LibC C = LibC.INSTANCE;

    /** Returns {@code rc} when it is not -1, else throws with the call's errno. */
    static int check(int rc, String syscall, String subject) {
        if (rc == -1) {
            throw new SyscallException(syscall, Native.getLastError(), subject);
        }
        return rc;
    }

    static long check(long rc, String syscall, String subject) {
        if (rc == -1) {
            throw new SyscallException(syscall, Native.getLastError(), subject);
        }
        return rc;
    }

    /** For calls that return an error number instead of setting errno (posix_spawn*). */
    static void checkErrorNumber(int rc, String call, String subject) {
        if (rc != 0) {
            throw new SyscallException(call, rc, subject);
        }
    }

    static boolean interrupted(SyscallException e) {
        return e.errno() == Errno.EINTR.number();
    }
}
