package io.jsyd.runtime.linux;

import io.jsyd.runtime.SyscallException;
import java.time.Instant;

/** Calls on an open file: its data, owner, mode, times and extended attributes. */
public final class FileOps {
    private FileOps() {
    }

    /** Writes the first {@code length} bytes of {@code buf} whole (short writes are continued). */
    public static void write(Fd fd, byte[] buf, int length, String subject) {
        int done = 0;
        byte[] chunk = buf;
        while (done < length) {
            if (done > 0) {
                chunk = java.util.Arrays.copyOfRange(buf, done, length);
            }
            long n;
            try {
                n = Sys.check(FsNative.write(fd.get(), chunk, length - done), "write", subject);
            } catch (SyscallException e) {
                if (Sys.interrupted(e)) {
                    continue;
                }
                throw e;
            }
            done += (int) n;
        }
    }

    /** Reads up to {@code buf.length} bytes; 0 at the end of the file. */
    public static int read(Fd fd, byte[] buf, String subject) {
        while (true) {
            try {
                return (int) Sys.check(FsNative.read(fd.get(), buf, buf.length), "read", subject);
            } catch (SyscallException e) {
                if (!Sys.interrupted(e)) {
                    throw e;
                }
            }
        }
    }

    public static void chown(Fd fd, long uid, long gid, String subject) {
        Sys.check(FsNative.fchown(fd.get(), (int) uid, (int) gid), "fchown", subject);
    }

    public static void chmod(Fd fd, int mode, String subject) {
        Sys.check(FsNative.fchmod(fd.get(), mode), "fchmod", subject);
    }

    /** Sets access and modification times; a null atime leaves the access time alone. */
    public static void setTimes(Fd fd, Instant atime, Instant mtime, String subject) {
        Sys.check(FsNative.futimens(fd.get(), DirFd.timespecs(atime, mtime)), "futimens", subject);
    }

    public static void setXattr(Fd fd, String key, byte[] value, String subject) {
        Sys.check(FsNative.fsetxattr(fd.get(), DirFd.cstr(key), value, value.length, 0), "fsetxattr",
                subject + " (" + key + ")");
    }
}
