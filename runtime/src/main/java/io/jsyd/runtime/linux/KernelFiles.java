package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.jsyd.runtime.SyscallException;

/**
 * Writes to kernel interface files (/proc, /sys) where the kernel wants the whole
 * value in one write(2) and its errno is the only explanation of a refusal.
 */
public final class KernelFiles {
    private KernelFiles() {
    }

    /** One open + one write; the errno of either is reported with the path and {@code what}. */
    public static void writeOnce(String path, String value, String what) {
        byte[] data = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String subject = what.isEmpty() ? path : path + " (" + what + ")";
        int fd = Sys.check(Sys.C.open(path, (int) (LinuxConstants.O_WRONLY | LinuxConstants.O_CLOEXEC), 0), "open", subject);
        try (Fd owned = Fd.adopt(fd); Memory buf = new Memory(Math.max(1, data.length))) {
            buf.write(0, data, 0, data.length);
            long n = Sys.check(Sys.C.write(owned.get(), buf, new NativeLong(data.length)).longValue(), "write", subject);
            if (n != data.length) {
                throw new SyscallException("write", Errno.EIO.number(), subject + ": wrote " + n + " of " + data.length + " bytes");
            }
        }
    }

    /**
     * The whole content, read until EOF with read(2): kernel files report size 0 and
     * some (cgroup.procs of a threaded cgroup) refuse with an errno worth keeping.
     */
    public static String read(String path) {
        int fd = Sys.check(Sys.C.open(path, (int) (LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC), 0), "open", path);
        try (Fd owned = Fd.adopt(fd); Memory buf = new Memory(16384)) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            while (true) {
                long n = Sys.C.read(owned.get(), buf, new NativeLong(buf.size())).longValue();
                if (n == -1) {
                    int errno = com.sun.jna.Native.getLastError();
                    if (errno == Errno.EINTR.number()) {
                        continue;
                    }
                    throw new SyscallException("read", errno, path);
                }
                if (n == 0) {
                    return all.toString(java.nio.charset.StandardCharsets.UTF_8);
                }
                all.write(buf.getByteArray(0, (int) n), 0, (int) n);
            }
        }
    }

    /** True when this call made the directory, false when it was there already. */
    public static boolean mkdir(String path, int mode) {
        if (Sys.C.mkdir(path, mode) == 0) {
            return true;
        }
        int errno = com.sun.jna.Native.getLastError();
        if (errno == Errno.EEXIST.number()) {
            return false;
        }
        throw new SyscallException("mkdir", errno, path);
    }

    /** Removes an empty directory; one that is already gone is fine. */
    public static void rmdir(String path) {
        if (Sys.C.rmdir(path) != 0) {
            int errno = com.sun.jna.Native.getLastError();
            if (errno != Errno.ENOENT.number()) {
                throw new SyscallException("rmdir", errno, path);
            }
        }
    }

    /** umount2(MNT_DETACH): the topmost mount at {@code path} goes, with every mount below it. */
    public static void detachMount(String path) {
        if (Sys.C.umount2(path, (int) LinuxConstants.MNT_DETACH) != 0) {
            throw new SyscallException("umount2", com.sun.jna.Native.getLastError(), path);
        }
    }

    /** An O_DIRECTORY fd, for calls that take a directory by fd (bpf attach). */
    public static Fd openDirectory(String path) {
        return Fd.adopt(Sys.check(Sys.C.open(path,
                (int) (LinuxConstants.O_RDONLY | LinuxConstants.O_DIRECTORY | LinuxConstants.O_CLOEXEC), 0), "open", path));
    }

    /** An O_RDONLY fd on a kernel file (memory.oom_control for an OOM eventfd). */
    public static Fd openRead(String path) {
        return Fd.adopt(Sys.check(Sys.C.open(path, (int) (LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC), 0), "open", path));
    }

    /** A log file opened for appending (made 0600 when missing): what a daemon's stdout and stderr point at. */
    public static Fd openAppend(String path) {
        return Fd.adopt(Sys.check(Sys.C.open(path, (int) (LinuxConstants.O_WRONLY | LinuxConstants.O_CREAT
                | LinuxConstants.O_APPEND | LinuxConstants.O_CLOEXEC), 0600), "open", path));
    }
}
