package io.jsyd.runtime.landlock;

import io.jsyd.runtime.policy.LockRight;
import io.jsyd.runtime.policy.LockScope;

/**
 * The kernel's Landlock bits (include/uapi/linux/landlock.h) and the ABI that
 * brought each. Kept here rather than generated from the headers: Debian 12's
 * headers stop at ABI 2, and these values are fixed kernel ABI that only grows.
 */
public final class LandlockAccess {
    private LandlockAccess() {
    }

    public static final int CREATE_RULESET_VERSION = 1;

    // handled_access_fs
    public static final long FS_EXECUTE = 1L << 0;
    public static final long FS_WRITE_FILE = 1L << 1;
    public static final long FS_READ_FILE = 1L << 2;
    public static final long FS_READ_DIR = 1L << 3;
    public static final long FS_REMOVE_DIR = 1L << 4;
    public static final long FS_REMOVE_FILE = 1L << 5;
    public static final long FS_MAKE_CHAR = 1L << 6;
    public static final long FS_MAKE_DIR = 1L << 7;
    public static final long FS_MAKE_REG = 1L << 8;
    public static final long FS_MAKE_SOCK = 1L << 9;
    public static final long FS_MAKE_FIFO = 1L << 10;
    public static final long FS_MAKE_BLOCK = 1L << 11;
    public static final long FS_MAKE_SYM = 1L << 12;
    /** ABI 2: renames and links into another directory. */
    public static final long FS_REFER = 1L << 13;
    /** ABI 3. */
    public static final long FS_TRUNCATE = 1L << 14;
    /** ABI 5: ioctl(2) on character and block devices. */
    public static final long FS_IOCTL_DEV = 1L << 15;

    // handled_access_net (ABI 4)
    public static final long NET_BIND_TCP = 1L << 0;
    public static final long NET_CONNECT_TCP = 1L << 1;

    // scoped (ABI 6)
    public static final long SCOPE_ABSTRACT_UNIX_SOCKET = 1L << 0;
    public static final long SCOPE_SIGNAL = 1L << 1;

    /** The rights a rule on a file that is not a directory may carry (the others only make sense on directories). */
    public static final long FS_FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV;

    /** Every filesystem right a kernel of this ABI can restrict. */
    public static long fsRights(int abi) {
        long v = 0;
        if (abi >= 1) {
            v |= (1L << 13) - 1;
        }
        if (abi >= 2) {
            v |= FS_REFER;
        }
        if (abi >= 3) {
            v |= FS_TRUNCATE;
        }
        if (abi >= 5) {
            v |= FS_IOCTL_DEV;
        }
        return v;
    }

    public static long netRights(int abi) {
        return abi >= 4 ? NET_BIND_TCP | NET_CONNECT_TCP : 0;
    }

    public static long scopes(int abi) {
        return abi >= 6 ? SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL : 0;
    }

    /** The filesystem bit of a right (BIND on a path: the socket file). */
    public static long fsBit(LockRight right) {
        return switch (right) {
            case READ -> FS_READ_FILE;
            case READDIR -> FS_READ_DIR;
            case WRITE -> FS_WRITE_FILE;
            case EXEC -> FS_EXECUTE;
            case IOCTL -> FS_IOCTL_DEV;
            case CREATE -> FS_MAKE_REG;
            case DELETE -> FS_REMOVE_FILE;
            case RENAME -> FS_REFER;
            case SYMLINK -> FS_MAKE_SYM;
            case TRUNCATE -> FS_TRUNCATE;
            case MKDIR -> FS_MAKE_DIR;
            case RMDIR -> FS_REMOVE_DIR;
            case MKBDEV -> FS_MAKE_BLOCK;
            case MKCDEV -> FS_MAKE_CHAR;
            case MKFIFO -> FS_MAKE_FIFO;
            case BIND -> FS_MAKE_SOCK;
            case CONNECT -> throw new IllegalArgumentException("connect takes ports only");
        };
    }

    public static long netBit(LockRight right) {
        return switch (right) {
            case BIND -> NET_BIND_TCP;
            case CONNECT -> NET_CONNECT_TCP;
            default -> throw new IllegalArgumentException(right.spelling() + " takes paths only");
        };
    }

    public static long scopeBit(LockScope scope) {
        return switch (scope) {
            case SIGNAL -> SCOPE_SIGNAL;
            case ABSTRACT_UNIX -> SCOPE_ABSTRACT_UNIX_SOCKET;
        };
    }

    /** The first ABI that has a filesystem bit. */
    public static int fsAbi(long bit) {
        return bit == FS_REFER ? 2 : bit == FS_TRUNCATE ? 3 : bit == FS_IOCTL_DEV ? 5 : 1;
    }

    /** The policy's name of a filesystem bit, for messages. */
    public static String fsName(long bit) {
        for (LockRight r : LockRight.values()) {
            if (r != LockRight.CONNECT && fsBit(r) == bit) {
                return r == LockRight.BIND ? "bind (UNIX socket files)" : r.spelling();
            }
        }
        throw new IllegalArgumentException("no such Landlock bit: " + bit);
    }
}
