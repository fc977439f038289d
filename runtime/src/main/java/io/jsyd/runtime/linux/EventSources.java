package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.jsyd.runtime.SyscallException;

/** Kernel event fds (eventfd, inotify) and waiting for one with poll(2). */
public final class EventSources {
    private EventSources() {
    }

    public static Fd eventfd() {
        return Fd.adopt(Sys.check(Sys.C.eventfd(0, (int) LinuxConstants.EFD_CLOEXEC), "eventfd", ""));
    }

    /** An inotify instance watching one path. */
    public static Fd inotify(String path, long mask) {
        Fd fd = Fd.adopt(Sys.check(Sys.C.inotify_init1((int) LinuxConstants.IN_CLOEXEC), "inotify_init1", ""));
        try {
            Sys.check(Sys.C.inotify_add_watch(fd.get(), path, (int) mask), "inotify_add_watch", path);
            return fd;
        } catch (SyscallException e) {
            fd.close();
            throw e;
        }
    }

    /** True when {@code fd} became readable within the time (negative: wait forever). */
    public static boolean awaitReadable(Fd fd, long timeoutMillis) {
        try (Memory pfd = new Memory(LinuxConstants.SIZEOF_POLLFD)) {
            pfd.clear();
            pfd.setInt(0, fd.get());
            pfd.setShort(4, (short) LinuxConstants.POLLIN);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                int wait = timeoutMillis < 0 ? -1 : (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                int rc = Sys.C.poll(pfd, new NativeLong(1), wait);
                if (rc >= 0) {
                    return rc > 0 && (pfd.getShort(LinuxConstants.POLLFD_REVENTS) & LinuxConstants.POLLIN) != 0;
                }
                int errno = Native.getLastError();
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("poll", errno, fd.toString());
                }
            }
        }
    }

    /** One read(2) of whatever is pending: an eventfd's counter or a batch of inotify events. */
    public static byte[] readPending(Fd fd) {
        try (Memory buf = new Memory(4096)) {
            while (true) {
                long n = Sys.C.read(fd.get(), buf, new NativeLong(buf.size())).longValue();
                if (n >= 0) {
                    return buf.getByteArray(0, (int) n);
                }
                int errno = Native.getLastError();
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("read", errno, fd.toString());
                }
            }
        }
    }
}
