package io.jsyd.runtime.trace;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls of the tracer loop, bound by JNA direct mapping (a native method
 * each: the loop makes three or four of them per stop). Errno through
 * Native.getLastError; LP64 only (long is the C long).
 */
final class TraceCalls {
    static {
        Native.register(TraceCalls.class, io.jsyd.runtime.linux.CLibrary.SONAME);
    }

    private TraceCalls() {
    }

    static native long ptrace(long request, int pid, long addr, long data);

    static native long ptrace(long request, int pid, long addr, Pointer data);

    static native int waitpid(int pid, int[] status, int options);

    static native int kill(int pid, int signal);

    static native long readlink(String path, Pointer buf, long size);

    static native int open(String path, int flags, int mode);

    static native long read(int fd, Pointer buf, long count);

    static native int close(int fd);

    /** {@code buf}: struct stat (layout from LinuxConstants). */
    static native int fstatat(int dirfd, String path, Pointer buf, int flags);

    /** Both iovec arrays as struct iovec[] (pointer, length). */
    static native long process_vm_readv(int pid, Pointer local, long liovcnt, Pointer remote, long riovcnt, long flags);
}
