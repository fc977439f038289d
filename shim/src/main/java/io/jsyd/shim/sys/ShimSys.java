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

    /** Reaps any child that has ended, without blocking; null when none has (or there are none). */
    public static Reaped reapAny() {
        int[] status = new int[1];
        while (true) {
            int pid = ShimLibC.C.waitpid(-1, status, (int) LinuxConstants.WNOHANG);
            if (pid > 0) {
                return new Reaped(pid, status[0]);
            }
            if (pid == 0) {
                return null;
            }
            int errno = Native.getLastError();
            if (errno == Errno.ECHILD.number()) {
                return null;
            }
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("waitpid", errno, "any child");
            }
        }
    }

    /**
     * Blocks until some child has ended, leaving it to be reaped (WNOWAIT). False when
     * this process has no children at all.
     */
    public static boolean awaitAnyExit() {
        try (Memory info = new Memory(SIGINFO_SIZE)) {
            while (true) {
                int rc = ShimLibC.C.waitid((int) LinuxConstants.P_ALL, 0, info,
                        (int) (LinuxConstants.WEXITED | LinuxConstants.WNOWAIT));
                if (rc == 0) {
                    return true;
                }
                int errno = Native.getLastError();
                if (errno == Errno.ECHILD.number()) {
                    return false;
                }
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("waitid", errno, "any child");
                }
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
