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
}
