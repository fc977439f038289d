package io.jsyd.runtime.trace;

import com.sun.jna.Native;

/**
 * The libc calls of the tracer loop, bound by JNA direct mapping (a native method
 * each: the loop makes several of them per stop). Every argument is a primitive:
 * buffers and paths are passed as the addresses of {@link NativeBuffer}s the
 * caller keeps alive, which spares JNA's marshalling (a String is encoded and
 * copied to malloc'd memory on every call, an array copied in and out). Errno
 * through Native.getLastError; LP64 only (long is the C long and a pointer).
 */
final class TraceCalls {
    static {
        Native.register(TraceCalls.class, io.jsyd.runtime.linux.CLibrary.SONAME);
    }

    private TraceCalls() {
    }

    static native long ptrace(long request, int pid, long addr, long data);

    /** {@code status}: the address of an int. */
    static native int waitpid(int pid, long status, int options);

    static native int kill(int pid, int signal);

    static native long readlink(long path, long buf, long size);

    static native int open(long path, int flags, int mode);

    static native long read(int fd, long buf, long count);

    static native int close(int fd);

    /** {@code buf}: struct stat (layout from LinuxConstants). */
    static native int fstatat(int dirfd, long path, long buf, int flags);

    /** Both iovec arrays as struct iovec[] (pointer, length). */
    static native long process_vm_readv(int pid, long local, long liovcnt, long remote, long riovcnt, long flags);
}
