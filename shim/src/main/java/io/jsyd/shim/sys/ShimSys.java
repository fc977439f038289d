package io.jsyd.shim.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Checked wrappers of the shim's own syscalls: a failure is a SyscallException
 * naming the call and what it acted on; EINTR is retried.
 */
public final class ShimSys {
    private static final int SIGINFO_SIZE = 128;

    private ShimSys() {
    }

    private static int check(int rc, String call, String subject) {
        if (rc < 0) {
            throw new SyscallException(call, Native.getLastError(), subject);
        }
        return rc;
    }

    /** open(2) with O_CLOEXEC added; the fd is owned by the caller. */
    public static Fd open(Path path, int flags, int mode) {
        while (true) {
            int fd = ShimLibC.C.open(path.toString(), flags | (int) LinuxConstants.O_CLOEXEC, mode);
            if (fd >= 0) {
                return Fd.adopt(fd);
            }
            int errno = Native.getLastError();
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("open", errno, path.toString());
            }
        }
    }

    /** A close-on-exec pipe: [read end, write end]. */
    public static Fd[] pipe() {
        int[] fds = new int[2];
        check(ShimLibC.C.pipe2(fds, (int) LinuxConstants.O_CLOEXEC), "pipe2", "");
        return new Fd[] {Fd.adopt(fds[0]), Fd.adopt(fds[1])};
    }

    /** Up to {@code buf.length} bytes; 0 at end of file. */
    public static int read(Fd fd, byte[] buf) {
        while (true) {
            long n = ShimLibC.C.read(fd.get(), buf, new NativeLong(buf.length)).longValue();
            if (n >= 0) {
                return (int) n;
            }
            int errno = Native.getLastError();
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("read", errno, "fd " + fd.get());
            }
        }
    }

    public static void writeAll(Fd fd, byte[] buf, int len) {
        int off = 0;
        while (off < len) {
            byte[] chunk = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, len);
            long n = ShimLibC.C.write(fd.get(), chunk, new NativeLong(len - off)).longValue();
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == Errno.EINTR.number()) {
                    continue;
                }
                throw new SyscallException("write", errno, "fd " + fd.get());
            }
            off += (int) n;
        }
    }

    /** A child that ended, reaped: its pid and raw wait status. */
    public record Reaped(int pid, int status) {
        /** The shell convention containerd reports: the exit status, or 128 + the signal. */
        public int exitStatus() {
            int sig = status & 0x7f;
            return sig == 0 ? (status >> 8) & 0xff : 128 + sig;
        }
    }

    /**
     * What waitid(WNOWAIT) shows of a child that changed state, left to be waited
     * for: its pid and si_code (CLD_EXITED, CLD_KILLED, CLD_DUMPED for an exit;
     * CLD_TRAPPED, CLD_STOPPED for a stop, which only a tracer of the child sees
     * without WSTOPPED: that tracer's to wait for, never a reaper's).
     */
    public record Pending(int pid, int code) {
        private static final int CLD_EXITED = 1;
        private static final int CLD_DUMPED = 3;

        public boolean exit() {
            return code >= CLD_EXITED && code <= CLD_DUMPED;
        }
    }

    /** siginfo_t's si_code, and si_pid in the SIGCHLD member of its union (after the 8-byte aligned header). */
    private static final int SI_CODE = 8;
    private static final int SI_PID = 16;

    /**
     * Looks at some child that exited or stopped for its tracer, without waiting for
     * it: null when none has (with {@code block}, after waiting for one) or when this
     * process has no children at all ({@code noChildren} is then set).
     */
    public static Pending peek(boolean block, boolean[] noChildren) {
        try (Memory info = new Memory(SIGINFO_SIZE)) {
            while (true) {
                info.clear();
                int rc = ShimLibC.C.waitid((int) LinuxConstants.P_ALL, 0, info,
                        (int) (LinuxConstants.WEXITED | LinuxConstants.WNOWAIT | (block ? 0 : LinuxConstants.WNOHANG)));
                if (rc == 0) {
                    int pid = info.getInt(SI_PID);
                    return pid == 0 ? null : new Pending(pid, info.getInt(SI_CODE));
                }
                int errno = Native.getLastError();
                if (errno == Errno.ECHILD.number()) {
                    noChildren[0] = true;
                    return null;
                }
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("waitid", errno, "any child");
                }
            }
        }
    }

    /** Reaps the exited child {@code pid}; null when it has not exited (or is not ours to wait for). */
    public static Reaped reap(int pid) {
        int[] status = new int[1];
        while (true) {
            int rc = ShimLibC.C.waitpid(pid, status, (int) LinuxConstants.WNOHANG);
            if (rc > 0) {
                return new Reaped(rc, status[0]);
            }
            if (rc == 0) {
                return null;
            }
            int errno = Native.getLastError();
            if (errno == Errno.ECHILD.number()) {
                return null;
            }
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("waitpid", errno, "pid " + pid);
            }
        }
    }

    public static void mount(String source, Path target, String type, long flags, String data) {
        check(ShimLibC.C.mount(source, target.toString(), type, new NativeLong(flags), data.isEmpty() ? null : data),
                "mount", source + " on " + target + " (" + type + ")");
    }

    /** Detaches the mount at {@code target}; false when nothing is mounted there. */
    public static boolean unmount(Path target) {
        if (ShimLibC.C.umount2(target.toString(), (int) LinuxConstants.MNT_DETACH) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.EINVAL.number() || errno == Errno.ENOENT.number()) {
            return false;
        }
        throw new SyscallException("umount2", errno, target.toString());
    }

    /** A listening AF_UNIX stream socket bound at {@code path} (the console socket). */
    public static Fd listenUnix(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        int room = LinuxConstants.SIZEOF_SOCKADDR_UN - LinuxConstants.SOCKADDR_UN_PATH;
        if (name.length >= room) {
            throw new SyscallException("bind", Errno.ENAMETOOLONG.number(), path.toString());
        }
        Fd sock = Fd.adopt(check(ShimLibC.C.socket((int) LinuxConstants.AF_UNIX,
                (int) (LinuxConstants.SOCK_STREAM | LinuxConstants.SOCK_CLOEXEC), 0), "socket", "AF_UNIX"));
        try (Memory addr = new Memory(LinuxConstants.SIZEOF_SOCKADDR_UN)) {
            addr.clear();
            addr.setShort(0, (short) LinuxConstants.AF_UNIX);
            addr.write(LinuxConstants.SOCKADDR_UN_PATH, name, 0, name.length);
            check(ShimLibC.C.bind(sock.get(), addr, LinuxConstants.SOCKADDR_UN_PATH + name.length + 1), "bind",
                    path.toString());
            check(ShimLibC.C.listen(sock.get(), 1), "listen", path.toString());
            return sock;
        } catch (RuntimeException e) {
            sock.close();
            throw e;
        }
    }

    /** Wakes a thread blocked in accept on {@code listener} (it fails with EINVAL); errors are moot then. */
    public static void shutdown(Fd listener) {
        ShimLibC.C.shutdown(listener.get(), 2);
    }

    public static Fd accept(Fd listener) {
        while (true) {
            int fd = ShimLibC.C.accept4(listener.get(), null, null, (int) LinuxConstants.SOCK_CLOEXEC);
            if (fd >= 0) {
                return Fd.adopt(fd);
            }
            int errno = Native.getLastError();
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("accept4", errno, "fd " + listener.get());
            }
        }
    }
}
