package io.jsyd.runtime.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The *at file calls, bound with JNA's direct mapping: unpacking an image makes
 * several calls per file, and direct calls cost a fraction of an interface
 * proxy's. Paths are NUL-terminated byte arrays, so a file name that is not
 * UTF-8 reaches the kernel byte for byte. Package-private: {@link DirFd} and
 * {@link FileOps} are the checked wrappers.
 */
final class FsNative {
    static {
        Native.register(FsNative.class, NativeLibrary.getInstance(CLibrary.SONAME));
        // struct timespec[2] and struct open_how go down as long arrays; say so loudly
        // on an ABI where the headers give another layout.
        if (LinuxConstants.SIZEOF_TIMESPEC != 16 || LinuxConstants.TIMESPEC_NSEC != 8
                || LinuxConstants.SIZEOF_OPEN_HOW != 24 || LinuxConstants.OPEN_HOW_FLAGS != 0
                || LinuxConstants.OPEN_HOW_MODE != 8 || LinuxConstants.OPEN_HOW_RESOLVE != 16) {
            throw new ExceptionInInitializerError("unexpected struct timespec/open_how layout");
        }
    }

    private FsNative() {
    }

    static native int openat(int dirfd, byte[] path, int flags, int mode);

    /**
     * glibc 2.36 has no openat2 wrapper. syscall(2) is variadic; on the Linux
     * ABIs JNA supports, integer arguments of a variadic call travel exactly as
     * fixed ones do, and glibc's syscall is a register shuffle that reads no
     * vararg count.
     */
    static native long syscall(long number, int dirfd, byte[] path, long[] how, long size);

    static native int mkdirat(int dirfd, byte[] path, int mode);

    static native int symlinkat(byte[] target, int dirfd, byte[] path);

    static native int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

    static native int mknodat(int dirfd, byte[] path, int mode, long dev);

    static native int mkfifoat(int dirfd, byte[] path, int mode);

    static native long gnu_dev_makedev(int major, int minor);

    static native int gnu_dev_major(long dev);

    static native int gnu_dev_minor(long dev);

    static native int fchownat(int dirfd, byte[] path, int uid, int gid, int flags);

    static native int fchmodat(int dirfd, byte[] path, int mode, int flags);

    static native int fchown(int fd, int uid, int gid);

    static native int fchmod(int fd, int mode);

    static native int unlinkat(int dirfd, byte[] path, int flags);

    static native int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

    static native int utimensat(int dirfd, byte[] path, long[] times, int flags);

    static native int futimens(int fd, long[] times);

    static native int fstatat(int dirfd, byte[] path, byte[] statbuf, int flags);

    static native long readlinkat(int dirfd, byte[] path, byte[] buf, long size);

    static native int fsetxattr(int fd, byte[] name, byte[] value, long size, int flags);

    static native int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags);

    static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size);

    static native long llistxattr(byte[] path, byte[] list, long size);

    static native long read(int fd, byte[] buf, long count);

    static native long write(int fd, byte[] buf, long count);

    static native int close(int fd);

    static native Pointer fdopendir(int fd);

    static native Pointer readdir(Pointer dir);

    static native int closedir(Pointer dir);
}
