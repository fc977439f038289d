package io.jsyd.runtime.supervisor;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the supervisor makes on its hot path, bound by JNA direct
 * mapping (a native method each, no proxy and no argument boxing: measured at
 * about a third of the interface mapping's cost per call). Errno through
 * Native.getLastError. size_t and unsigned long are Java longs (LP64 only).
 */
final class NotifyCalls {
    static {
        Native.register(NotifyCalls.class, io.jsyd.runtime.linux.CLibrary.SONAME);
    }

    private NotifyCalls() {
    }

    static native int ioctl(int fd, long request, Pointer arg);

    /** {@code fds}: struct pollfd[] (int fd, short events, short revents). */
    static native int poll(Pointer fds, long nfds, int timeoutMillis);

    /** Both iovec arrays as struct iovec[] (pointer, length). */
    static native long process_vm_readv(int pid, Pointer local, long liovcnt, Pointer remote, long riovcnt, long flags);

    static native int kill(int pid, int signal);

    static native long process_vm_writev(int pid, Pointer local, long liovcnt, Pointer remote, long riovcnt,
            long flags);

    // the emulated opens (CallerOpen): glibc's wrappers that act on the calling thread alone
    // (setgroups is not one of them: glibc applies it to every thread, so it goes through syscall)

    static native int open(Pointer path, int flags, int mode);

    static native int openat(int dirfd, Pointer path, int flags, int mode);

    static native int close(int fd);

    static native long read(int fd, Pointer buf, long count);

    static native int fstat(int fd, Pointer stat);

    static native int stat(Pointer path, Pointer stat);

    static native int fcntl(int fd, int cmd, int arg);

    static native int fchdir(int fd);

    static native int chroot(Pointer path);

    static native int unshare(int flags);

    static native int umask(int mask);

    static native int setfsuid(int uid);

    static native int setfsgid(int gid);

    static native int geteuid();

    static native int getegid();

    static native int getgroups(int size, Pointer list);

    /** glibc's struct sigaction; the handler is its first field. */
    static native int sigaction(int signal, Pointer action, Pointer old);

    /** syscall(2) with six integer arguments (x86-64 and aarch64 pass them as in a plain call). */
    static native long syscall(long number, long a, long b, long c, long d, long e, long f);
}
