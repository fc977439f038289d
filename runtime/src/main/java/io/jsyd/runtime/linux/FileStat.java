package io.jsyd.runtime.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/** What fstatat(2) says about a file, without following a final symlink. */
public record FileStat(int mode, long uid, long gid, long nlink, long ino, long dev, long rdev, long size,
                       Instant mtime) {

    public int type() {
        return mode & (int) LinuxConstants.S_IFMT;
    }

    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == LinuxConstants.S_IFDIR;
    }

    public boolean isSymlink() {
        return type() == LinuxConstants.S_IFLNK;
    }

    public boolean isRegular() {
        return type() == LinuxConstants.S_IFREG;
    }

    public int rdevMajor() {
        return FsNative.gnu_dev_major(rdev);
    }

    public int rdevMinor() {
        return FsNative.gnu_dev_minor(rdev);
    }

    /** Decodes a struct stat with the offsets the build read from the system headers. */
    static FileStat decode(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        long nlink = LinuxConstants.SIZEOF_STAT_NLINK == 8 ? b.getLong(LinuxConstants.STAT_NLINK)
                : Integer.toUnsignedLong(b.getInt(LinuxConstants.STAT_NLINK));
        Instant mtime = Instant.ofEpochSecond(b.getLong(LinuxConstants.STAT_MTIM),
                b.getLong(LinuxConstants.STAT_MTIM + LinuxConstants.TIMESPEC_NSEC));
        return new FileStat(b.getInt(LinuxConstants.STAT_MODE),
                Integer.toUnsignedLong(b.getInt(LinuxConstants.STAT_UID)),
                Integer.toUnsignedLong(b.getInt(LinuxConstants.STAT_GID)), nlink,
                b.getLong(LinuxConstants.STAT_INO), b.getLong(LinuxConstants.STAT_DEV),
                b.getLong(LinuxConstants.STAT_RDEV), b.getLong(LinuxConstants.STAT_SIZE), mtime);
    }
}
