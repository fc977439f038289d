package io.jsyd.runtime.supervisor;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The few libc calls the supervisor makes on its hot path, bound directly (errno through Native.getLastError). */
interface NotifyCalls extends Library {
    NotifyCalls C = Native.load("c", NotifyCalls.class);

    int ioctl(int fd, NativeLong request, Pointer arg);

    /** {@code fds}: struct pollfd[] (int fd, short events, short revents). */
    int poll(Pointer fds, NativeLong nfds, int timeoutMillis);

    /** Both iovec arrays as struct iovec[] (pointer, length). */
    NativeLong process_vm_readv(int pid, Pointer local, NativeLong liovcnt, Pointer remote, NativeLong riovcnt,
            NativeLong flags);

    int kill(int pid, int signal);
}
