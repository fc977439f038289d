package io.jsyd.runtime.seccomp;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** A minimal seccomp agent for tests: receives one notification from a listener fd and answers it. */
final class NotifyAnswerer {
    interface Ioctl extends Library {
        Ioctl C = Native.load(io.jsyd.runtime.linux.CLibrary.SONAME, Ioctl.class);

        int ioctl(int fd, NativeLong request, Pointer arg);
    }

    /** What the filtered process asked: syscall number and its six arguments. */
    record Request(long id, int pid, int nr, long[] args) {
    }

    private NotifyAnswerer() {
    }

    static Request receive(int listener) {
        try (Memory n = new Memory(SeccompConstants.SIZEOF_SECCOMP_NOTIF)) {
            n.clear();
            if (Ioctl.C.ioctl(listener, new NativeLong(SeccompConstants.SECCOMP_IOCTL_NOTIF_RECV), n) != 0) {
                throw new IllegalStateException("SECCOMP_IOCTL_NOTIF_RECV: errno " + Native.getLastError());
            }
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) {
                args[i] = n.getLong(SeccompConstants.SECCOMP_NOTIF_ARGS + 8L * i);
            }
            return new Request(n.getLong(SeccompConstants.SECCOMP_NOTIF_ID), n.getInt(SeccompConstants.SECCOMP_NOTIF_PID),
                    n.getInt(SeccompConstants.SECCOMP_NOTIF_NR), args);
        }
    }

    /** Makes the syscall return {@code value}, or fail with {@code errno} when that is not 0. */
    static void answer(int listener, Request r, long value, int errno) {
        respond(listener, r, value, errno, 0);
    }

    /** Lets the syscall run as if no filter had stopped it. */
    static void letRun(int listener, Request r) {
        respond(listener, r, 0, 0, (int) SeccompConstants.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    }

    private static void respond(int listener, Request r, long value, int errno, int flags) {
        try (Memory resp = new Memory(SeccompConstants.SIZEOF_SECCOMP_NOTIF_RESP)) {
            resp.clear();
            resp.setLong(SeccompConstants.SECCOMP_NOTIF_RESP_ID, r.id());
            resp.setLong(SeccompConstants.SECCOMP_NOTIF_RESP_VAL, value);
            resp.setInt(SeccompConstants.SECCOMP_NOTIF_RESP_ERROR, -errno);
            resp.setInt(SeccompConstants.SECCOMP_NOTIF_RESP_FLAGS, flags);
            if (Ioctl.C.ioctl(listener, new NativeLong(SeccompConstants.SECCOMP_IOCTL_NOTIF_SEND), resp) != 0) {
                throw new IllegalStateException("SECCOMP_IOCTL_NOTIF_SEND: errno " + Native.getLastError());
            }
        }
    }
}
