package io.jsyd.runtime.linux;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.jsyd.runtime.SyscallException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open directory and the *at calls relative to it. Names given to the
 * single-name methods must be one path component: they act on that entry of
 * this directory and never follow a symlink in its place. {@link #openDirInRoot}
 * and {@link #openInRoot} resolve a whole path with this directory as the root
 * (openat2 RESOLVE_IN_ROOT): "..", absolute symlinks and relative ones all stay
 * inside, which is what makes unpacking untrusted archives safe.
 */
public final class DirFd implements AutoCloseable {
    private static final int DIR_FLAGS = (int) (LinuxConstants.O_RDONLY | LinuxConstants.O_DIRECTORY
            | LinuxConstants.O_CLOEXEC);
    private static final long IN_ROOT = LinuxConstants.RESOLVE_IN_ROOT | LinuxConstants.RESOLVE_NO_MAGICLINKS
            | LinuxConstants.RESOLVE_NO_XDEV;
    private static final int NOFOLLOW = (int) LinuxConstants.AT_SYMLINK_NOFOLLOW;

    private final Fd fd;
    private final String label;

    private DirFd(int fd, String label) {
        this.fd = Fd.adopt(fd);
        this.label = label;
    }

    /** Opens a directory of the caller's own file system (symlinks in {@code dir} are followed). */
    public static DirFd open(Path dir) {
        String p = dir.toString();
        return new DirFd(Sys.check(FsNative.openat((int) LinuxConstants.AT_FDCWD, cstr(p), DIR_FLAGS, 0),
                "open", p), p);
    }

    public int fd() {
        return fd.get();
    }

    /** The directory as the message of an error names it. */
    public String label() {
        return label;
    }

    /**
     * Opens the directory at {@code path} resolved with this directory as "/":
     * no symlink or ".." can lead out of it, and no mount point is crossed.
     */
    public DirFd openDirInRoot(byte[] path) {
        return new DirFd(openat2(path, DIR_FLAGS), label + "/" + text(path));
    }

    /** Opens any file at {@code path} resolved with this directory as "/"; flags are open(2)'s. */
    public Fd openInRoot(byte[] path, int flags) {
        return Fd.adopt(openat2(path, flags | (int) LinuxConstants.O_CLOEXEC));
    }

    private int openat2(byte[] path, int flags) {
        long[] how = {Integer.toUnsignedLong(flags), 0, IN_ROOT};
        while (true) {
            long rc = FsNative.syscall(LinuxConstants.SYS_openat2, fd(), cstr(path), how, LinuxConstants.SIZEOF_OPEN_HOW);
            if (rc >= 0) {
                return (int) rc;
            }
            int errno = Native.getLastError();
            // The kernel asks for a retry when a rename raced the lookup.
            if (errno != Errno.EAGAIN.number() && errno != Errno.EINTR.number()) {
                throw new SyscallException("openat2", errno, subject(path));
            }
        }
    }

    /** Opens the directory {@code name} of this one; a symlink there is refused (ELOOP/ENOTDIR). */
    public DirFd openDir(byte[] name) {
        return new DirFd(Sys.check(FsNative.openat(fd(), cstr(name), DIR_FLAGS | (int) LinuxConstants.O_NOFOLLOW, 0),
                "openat", subject(name)), label + "/" + text(name));
    }

    /** Creates the regular file {@code name}, which must not exist yet, open for writing. */
    public Fd createFile(byte[] name, int mode) {
        int flags = (int) (LinuxConstants.O_WRONLY | LinuxConstants.O_CREAT | LinuxConstants.O_EXCL
                | LinuxConstants.O_NOFOLLOW | LinuxConstants.O_CLOEXEC);
        return Fd.adopt(Sys.check(FsNative.openat(fd(), cstr(name), flags, mode), "openat", subject(name)));
    }

    /** Opens {@code name} for reading without following a symlink there. */
    public Fd openFile(byte[] name) {
        int flags = (int) (LinuxConstants.O_RDONLY | LinuxConstants.O_NOFOLLOW | LinuxConstants.O_CLOEXEC);
        return Fd.adopt(Sys.check(FsNative.openat(fd(), cstr(name), flags, 0), "openat", subject(name)));
    }

    public void mkdir(byte[] name, int mode) {
        Sys.check(FsNative.mkdirat(fd(), cstr(name), mode), "mkdirat", subject(name));
    }

    public void symlink(byte[] target, byte[] name) {
        Sys.check(FsNative.symlinkat(cstr(target), fd(), cstr(name)), "symlinkat", subject(name));
    }

    /** A hard link {@code name} here to {@code fromName} in {@code fromDir} (a symlink there is linked, not followed). */
    public void link(DirFd fromDir, byte[] fromName, byte[] name) {
        Sys.check(FsNative.linkat(fromDir.fd(), cstr(fromName), fd(), cstr(name), 0), "linkat",
                subject(name) + " -> " + fromDir.subject(fromName));
    }

    /** mknod for a device, fifo or socket; {@code mode} holds the S_IF* type and the permissions. */
    public void mknod(byte[] name, int mode, int major, int minor) {
        Sys.check(FsNative.mknodat(fd(), cstr(name), mode, FsNative.gnu_dev_makedev(major, minor)), "mknodat",
                subject(name));
    }

    /** Owner of {@code name} itself (a symlink is not followed). */
    public void chown(byte[] name, long uid, long gid) {
        Sys.check(FsNative.fchownat(fd(), cstr(name), (int) uid, (int) gid, NOFOLLOW), "fchownat", subject(name));
    }

    /** Mode of {@code name}; call it only on what is not a symlink (Linux has no lchmod). */
    public void chmod(byte[] name, int mode) {
        Sys.check(FsNative.fchmodat(fd(), cstr(name), mode, 0), "fchmodat", subject(name));
    }

    public void unlink(byte[] name) {
        Sys.check(FsNative.unlinkat(fd(), cstr(name), 0), "unlinkat", subject(name));
    }

    public void rmdir(byte[] name) {
        Sys.check(FsNative.unlinkat(fd(), cstr(name), (int) LinuxConstants.AT_REMOVEDIR), "unlinkat", subject(name));
    }

    /** Renames {@code from} here to {@code to} in {@code toDir}; with noReplace an existing target is an EEXIST. */
    public void rename(byte[] from, DirFd toDir, byte[] to, boolean noReplace) {
        Sys.check(FsNative.renameat2(fd(), cstr(from), toDir.fd(), cstr(to),
                noReplace ? (int) LinuxConstants.RENAME_NOREPLACE : 0), "renameat2", subject(from) + " -> "
                + toDir.subject(to));
    }

    /** Times of {@code name} itself; a null atime leaves the access time alone. */
    public void setTimes(byte[] name, Instant atime, Instant mtime) {
        Sys.check(FsNative.utimensat(fd(), cstr(name), timespecs(atime, mtime), NOFOLLOW), "utimensat", subject(name));
    }

    /**
     * Sets an extended attribute on {@code name} itself. There is no
     * lsetxattr relative to a directory fd before Linux 6.13, so the path goes
     * through this fd's /proc/self/fd link: the directory is already resolved,
     * and lsetxattr does not follow the last component.
     */
    public void setXattr(byte[] name, String key, byte[] value) {
        Sys.check(FsNative.lsetxattr(procPath(name), cstr(key), value, value.length, 0), "lsetxattr",
                subject(name) + " (" + key + ")");
    }

    /** The extended attributes of {@code name} itself, in the order the file system lists them. */
    public Map<String, byte[]> xattrs(byte[] name) {
        byte[] path = procPath(name);
        Map<String, byte[]> result = new LinkedHashMap<>();
        long size = Sys.check(FsNative.llistxattr(path, null, 0), "llistxattr", subject(name));
        if (size == 0) {
            return result;
        }
        byte[] list = new byte[(int) size];
        size = Sys.check(FsNative.llistxattr(path, list, list.length), "llistxattr", subject(name));
        int start = 0;
        for (int i = 0; i < size; i++) {
            if (list[i] == 0) {
                String key = new String(list, start, i - start, StandardCharsets.UTF_8);
                start = i + 1;
                long len = Sys.check(FsNative.lgetxattr(path, cstr(key), null, 0), "lgetxattr", subject(name));
                byte[] value = new byte[(int) len];
                len = Sys.check(FsNative.lgetxattr(path, cstr(key), value, value.length), "lgetxattr", subject(name));
                result.put(key, Arrays.copyOf(value, (int) len));
            }
        }
        return result;
    }

    /** fstatat without following a symlink at {@code name}; empty when nothing is there. */
    public Optional<FileStat> stat(byte[] name) {
        byte[] buf = new byte[LinuxConstants.SIZEOF_STAT];
        if (FsNative.fstatat(fd(), cstr(name), buf, NOFOLLOW) == -1) {
            int errno = Native.getLastError();
            if (errno == Errno.ENOENT.number()) {
                return Optional.empty();
            }
            throw new SyscallException("fstatat", errno, subject(name));
        }
        return Optional.of(FileStat.decode(buf));
    }

    /** This directory's own status. */
    public FileStat stat() {
        byte[] buf = new byte[LinuxConstants.SIZEOF_STAT];
        Sys.check(FsNative.fstatat(fd(), new byte[] {0}, buf, (int) LinuxConstants.AT_EMPTY_PATH), "fstat", label);
        return FileStat.decode(buf);
    }

    public byte[] readlink(byte[] name) {
        byte[] buf = new byte[4096];
        long n = Sys.check(FsNative.readlinkat(fd(), cstr(name), buf, buf.length), "readlinkat", subject(name));
        return Arrays.copyOf(buf, (int) n);
    }

    /** One entry of a directory listing: its name and the type readdir reports (DT_*; DT_UNKNOWN allowed). */
    public record Entry(byte[] name, int type) {
    }

    /** The entries of this directory, without "." and "..". */
    public List<Entry> list() {
        // fdopendir takes the fd it is given; a fresh open of "." keeps ours and its offset.
        int own = Sys.check(FsNative.openat(fd(), new byte[] {'.', 0}, DIR_FLAGS, 0), "openat", label);
        Pointer dir = FsNative.fdopendir(own);
        if (dir == null) {
            int errno = Native.getLastError();
            FsNative.close(own);
            throw new SyscallException("fdopendir", errno, label);
        }
        List<Entry> entries = new ArrayList<>();
        try {
            while (true) {
                Native.setLastError(0);
                Pointer e = FsNative.readdir(dir);
                if (e == null) {
                    int errno = Native.getLastError();
                    if (errno != 0) {
                        throw new SyscallException("readdir", errno, label);
                    }
                    return entries;
                }
                Pointer namePtr = e.share(LinuxConstants.DIRENT_NAME);
                byte[] name = namePtr.getByteArray(0, (int) namePtr.indexOf(0, (byte) 0));
                int len = name.length;
                if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) {
                    continue;
                }
                entries.add(new Entry(name, Byte.toUnsignedInt(e.getByte(LinuxConstants.DIRENT_TYPE))));
            }
        } finally {
            FsNative.closedir(dir);
        }
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return label;
    }

    private byte[] procPath(byte[] name) {
        byte[] prefix = ("/proc/self/fd/" + fd() + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] path = new byte[prefix.length + name.length + 1];
        System.arraycopy(prefix, 0, path, 0, prefix.length);
        System.arraycopy(name, 0, path, prefix.length, name.length);
        return path;
    }

    private String subject(byte[] name) {
        return label + "/" + text(name);
    }

    static String text(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }

    static byte[] cstr(byte[] s) {
        return Arrays.copyOf(s, s.length + 1);
    }

    static byte[] cstr(String s) {
        return cstr(s.getBytes(StandardCharsets.UTF_8));
    }

    static long[] timespecs(Instant atime, Instant mtime) {
        return new long[] {
            atime == null ? 0 : atime.getEpochSecond(), atime == null ? LinuxConstants.UTIME_OMIT : atime.getNano(),
            mtime.getEpochSecond(), mtime.getNano()};
    }
}
