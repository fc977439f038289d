package io.jsyd.runtime.supervisor;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.seccomp.SeccompConstants;

/**
 * One worker thread's means to open a file in a caller's place: the supervisor
 * opens what the caller asked for, resolved in the caller's root, with the
 * caller's file credentials, and installs the result in the caller's fd table
 * with SECCOMP_IOCTL_NOTIF_ADDFD (SEND: the install is the answer). The caller's
 * memory is read once, before the decision; nothing after it depends on memory
 * the container can change.
 *
 * <p>The thread has a filesystem context of its own (unshare CLONE_FS) with umask
 * 0, so the caller's umask alone shapes a created file's mode, and it may chroot
 * into a caller's root to resolve a path relative to a caller's directory (only
 * the kernel's own walk gets {@code ..} and symbolic links right there; openat2's
 * RESOLVE_IN_ROOT would take the directory for the root).
 *
 * <p>Around the open the thread takes the caller's fsuid, fsgid, supplementary
 * groups and, when the caller lives in the supervisor's user namespace, its
 * effective capabilities; a caller in another user namespace gets no capability
 * (its capabilities mean nothing for the host's inodes, so the supervisor would
 * be more powerful than it; it may now be refused what its namespace's root
 * could do to files its namespace owns). What stays the supervisor's is the task:
 * its cgroup (the devices controller), LSM labels and Landlock domain. Hence
 * device nodes are opened only from a fixed list ({@link #allowedDevice}) and
 * everything is first resolved with O_PATH, which opens nothing, so no driver's
 * open runs before the check.
 */
final class CallerOpen implements AutoCloseable {
    private static final int PATH_MAX = 4096;
    private static final int O_PATH = (int) LinuxConstants.O_PATH;
    private static final int O_CLOEXEC = (int) LinuxConstants.O_CLOEXEC;
    private static final int O_CREAT = (int) LinuxConstants.O_CREAT;
    private static final int O_EXCL = (int) LinuxConstants.O_EXCL;
    private static final int O_NOFOLLOW = (int) LinuxConstants.O_NOFOLLOW;
    private static final int O_DIRECTORY = (int) LinuxConstants.O_DIRECTORY;
    private static final int O_NOCTTY = (int) LinuxConstants.O_NOCTTY;
    private static final int O_TMPFILE = (int) LinuxConstants.O_TMPFILE;
    private static final int S_IFMT = (int) LinuxConstants.S_IFMT;
    private static final long RESOLVE_IN_ROOT = LinuxConstants.RESOLVE_IN_ROOT;
    private static final long RESOLVE_NO_MAGICLINKS = LinuxConstants.RESOLVE_NO_MAGICLINKS;
    /**
     * The path calls other than opens that a worker makes in the caller's place,
     * with the argument indices of their dirfds: calls whose arguments are names
     * and plain numbers, and whose only result is the return value.
     */
    static final java.util.Map<String, int[]> EMULATED = java.util.Map.ofEntries(
            java.util.Map.entry("mkdir", new int[0]), java.util.Map.entry("mkdirat", new int[] {0}),
            java.util.Map.entry("mknod", new int[0]), java.util.Map.entry("mknodat", new int[] {0}),
            java.util.Map.entry("unlink", new int[0]), java.util.Map.entry("unlinkat", new int[] {0}),
            java.util.Map.entry("rmdir", new int[0]), java.util.Map.entry("truncate", new int[0]),
            java.util.Map.entry("chmod", new int[0]), java.util.Map.entry("fchmodat", new int[] {0}),
            java.util.Map.entry("chown", new int[0]), java.util.Map.entry("lchown", new int[0]),
            java.util.Map.entry("fchownat", new int[] {0}), java.util.Map.entry("rename", new int[0]),
            java.util.Map.entry("renameat", new int[] {0, 2}), java.util.Map.entry("renameat2", new int[] {0, 2}),
            java.util.Map.entry("link", new int[0]), java.util.Map.entry("linkat", new int[] {0, 2}),
            java.util.Map.entry("symlink", new int[0]), java.util.Map.entry("symlinkat", new int[] {1}));

    /** Retries of an O_CREAT open that another process races (the name appears and goes). */
    private static final int CREATE_TRIES = 4;

    private final Memory path = new Memory(PATH_MAX + 64);
    private final Memory aux = new Memory(PATH_MAX + 64);
    private final Memory how = new Memory(LinuxConstants.SIZEOF_OPEN_HOW);
    private final Memory st = new Memory(LinuxConstants.SIZEOF_STAT);
    private final Memory status = new Memory(8192);
    private final byte[] statusBytes = new byte[8192];
    private final Memory addfd = new Memory(SeccompConstants.SIZEOF_SECCOMP_NOTIF_ADDFD);
    private final Memory capHeader = new Memory(8);
    private final Memory capData = new Memory(24);
    private final Memory groups = new Memory(4L * 65536);
    private final java.nio.ByteBuffer howView = NotifySupervisor.view(how);
    private final java.nio.ByteBuffer stView = NotifySupervisor.view(st);
    private final java.nio.ByteBuffer addfdView = NotifySupervisor.view(addfd);
    private final java.nio.ByteBuffer capView = NotifySupervisor.view(capData);
    private final java.nio.ByteBuffer capHeaderView = NotifySupervisor.view(capHeader);
    private final int hostRoot;
    private final int ownFds;
    private final long ownUserNs;
    private final long ownEffective;
    private final long ownPermitted;
    private final long ownInheritable;
    private final int ownGroupCount;
    private final int ownFsuid = NotifyCalls.geteuid();
    private final int ownFsgid = NotifyCalls.getegid();
    private final Memory ownGroups;

    private final Memory[] names = {new Memory(PATH_MAX + 1), new Memory(PATH_MAX + 1), new Memory(PATH_MAX + 1)};
    private final long[] callArgs = new long[6];
    private final int[] dirfds = new int[2];

    /** The caller's file credentials, from /proc/TID/status. */
    private final Creds creds = new Creds();

    private static final class Creds {
        int fsuid;
        int fsgid;
        int umask;
        int groupCount;
        long effective;
        int nsPid;
        int nsTid;
    }

    /** Prepares the calling thread (its own fs context, umask 0); one per worker thread. */
    CallerOpen() {
        check(NotifyCalls.unshare((int) LinuxConstants.CLONE_FS), "unshare(CLONE_FS)");
        NotifyCalls.umask(0);
        hostRoot = check(NotifyCalls.open(cstr(path, "/"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0), "open /");
        ownFds = check(NotifyCalls.open(cstr(path, "/proc/self/fd"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0),
                "open /proc/self/fd");
        check(NotifyCalls.stat(cstr(path, "/proc/self/ns/user"), st), "stat /proc/self/ns/user");
        ownUserNs = st.getLong(LinuxConstants.STAT_INO);
        capHeader.setInt(0, (int) LinuxConstants._LINUX_CAPABILITY_VERSION_3);
        capHeader.setInt(4, 0);
        check((int) NotifyCalls.syscall(LinuxConstants.SYS_capget, pointer(capHeader), pointer(capData), 0, 0, 0, 0),
                "capget");
        ownEffective = caps(0);
        ownPermitted = caps(4);
        ownInheritable = caps(8);
        ownGroups = new Memory(4L * 65536);
        ownGroupCount = check(NotifyCalls.getgroups(65536, ownGroups), "getgroups");
    }

    private long caps(int offset) {
        return Integer.toUnsignedLong(capData.getInt(offset)) | (long) capData.getInt(offset + 12) << 32;
    }

    /**
     * Opens {@code where} (an absolute path in the caller's root, the name the
     * policy allowed) for thread {@code tid}, or, with {@code dirfd} >= 0 or AT_FDCWD
     * and a relative {@code relative}, that name below the caller's directory.
     * Returns the fd in the caller (the answer is sent) or a negative errno to
     * answer with.
     *
     * @param fdNumber the caller's fd a magic link such as /proc/self/fd/N or
     *     /dev/stdin names, or -1
     */
    int open(long id, int listener, int tid, String where, byte[] relative, int dirfd, long flags, long mode,
            long resolve, int fdNumber) {
        int f = (int) flags;
        int cloexec = f & O_CLOEXEC;
        if (!readCreds(tid)) {
            return -Errno.ESRCH.number();
        }
        int root = -1;
        int dir = -1;
        int file = -1;
        boolean chrooted = false;
        try {
            String name = where;
            if (fdNumber >= 0) {
                // the caller's own open file, reopened as the kernel reopens a magic link
                dir = NotifyCalls.open(cstr(path, "/proc/" + tid + "/fd/" + fdNumber), O_PATH | O_CLOEXEC, 0);
                if (dir < 0) {
                    return -Native.getLastError();
                }
            } else if (relative != null) {
                String base = "/proc/" + tid + (dirfd == (int) LinuxConstants.AT_FDCWD ? "/cwd" : "/fd/" + dirfd);
                dir = NotifyCalls.open(cstr(path, base), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                root = NotifyCalls.open(cstr(path, "/proc/" + tid + "/root"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                if (dir < 0 || root < 0) {
                    return dir < 0 ? -Errno.ENOTDIR.number() : -Errno.ESRCH.number();
                }
                check(NotifyCalls.fchdir(root), "fchdir to the caller's root");
                check(NotifyCalls.chroot(cstr(path, ".")), "chroot to the caller's root");
                chrooted = true;
            } else {
                root = NotifyCalls.open(cstr(path, "/proc/" + tid + "/root"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                if (root < 0) {
                    return -Errno.ESRCH.number();
                }
                name = procSelf(where);
            }
            try {
                becomeCaller();
                file = resolve(fdNumber >= 0 ? -2 : relative != null ? dir : root, relative != null ? relative : null,
                        name, f, (int) (mode & 07777 & ~creds.umask), resolve | (relative == null ? RESOLVE_IN_ROOT : 0),
                        fdNumber >= 0 ? dir : -1);
            } finally {
                becomeSupervisor();
            }
            if (file < 0) {
                return file;
            }
            addfdView.putLong(SeccompConstants.SECCOMP_NOTIF_ADDFD_ID, id);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_FLAGS, (int) SeccompConstants.SECCOMP_ADDFD_FLAG_SEND);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_SRCFD, file);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_NEWFD, 0);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_NEWFD_FLAGS, cloexec);
            int r = NotifyCalls.ioctl(listener, SeccompConstants.SECCOMP_IOCTL_NOTIF_ADDFD, addfd);
            // a caller that died or was interrupted meanwhile has no answer to take (ENOENT)
            return r >= 0 ? r : Integer.MIN_VALUE;
        } finally {
            if (chrooted) {
                check(NotifyCalls.fchdir(hostRoot), "fchdir back to the supervisor's root");
                check(NotifyCalls.chroot(cstr(path, ".")), "chroot back to the supervisor's root");
            }
            closeQuietly(file);
            closeQuietly(dir);
            closeQuietly(root);
        }
    }

    /**
     * Makes path call {@code nr} ({@code name}, one of {@link #EMULATED}) for
     * thread {@code tid}: the names are the bytes the policy decided on, the
     * caller's dirfds become this process's O_PATH fds of the same files, and the
     * call runs chrooted into the caller's root, from the caller's cwd, with its
     * credentials and umask. Returns what the call returned, or a negative errno.
     */
    long call(int tid, String name, int nr, long[] args, int[] stringArgs, byte[][] strings, int count) {
        int[] dirfdArgs = EMULATED.get(name);
        if (!readCreds(tid)) {
            return -Errno.ESRCH.number();
        }
        System.arraycopy(args, 0, callArgs, 0, 6);
        dirfds[0] = -1;
        dirfds[1] = -1;
        int root = -1;
        int cwd = -1;
        boolean chrooted = false;
        try {
            for (int k = 0; k < count; k++) {
                names[k].write(0, strings[k], 0, strings[k].length);
                names[k].setByte(strings[k].length, (byte) 0);
                callArgs[stringArgs[k]] = pointer(names[k]);
            }
            for (int i = 0; i < dirfdArgs.length; i++) {
                int fd = (int) args[dirfdArgs[i]];
                if (fd != (int) LinuxConstants.AT_FDCWD) {
                    dirfds[i] = NotifyCalls.open(cstr(path, "/proc/" + tid + "/fd/" + fd), O_PATH | O_CLOEXEC, 0);
                    if (dirfds[i] < 0) {
                        return -Errno.EBADF.number();
                    }
                    callArgs[dirfdArgs[i]] = dirfds[i];
                }
            }
            root = NotifyCalls.open(cstr(path, "/proc/" + tid + "/root"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            cwd = NotifyCalls.open(cstr(path, "/proc/" + tid + "/cwd"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            if (root < 0 || cwd < 0) {
                return -Errno.ESRCH.number();
            }
            check(NotifyCalls.fchdir(root), "fchdir to the caller's root");
            check(NotifyCalls.chroot(cstr(path, ".")), "chroot to the caller's root");
            chrooted = true;
            check(NotifyCalls.fchdir(cwd), "fchdir to the caller's cwd");
            try {
                becomeCaller();
                NotifyCalls.umask(creds.umask);
                long r = NotifyCalls.syscall(nr, callArgs[0], callArgs[1], callArgs[2], callArgs[3], callArgs[4],
                        callArgs[5]);
                return r < 0 ? -Native.getLastError() : r;
            } finally {
                NotifyCalls.umask(0);
                becomeSupervisor();
            }
        } finally {
            if (chrooted) {
                check(NotifyCalls.fchdir(hostRoot), "fchdir back to the supervisor's root");
                check(NotifyCalls.chroot(cstr(path, ".")), "chroot back to the supervisor's root");
            }
            closeQuietly(root);
            closeQuietly(cwd);
            closeQuietly(dirfds[0]);
            closeQuietly(dirfds[1]);
        }
    }

    /**
     * Resolves with O_PATH (nothing is opened yet), checks what was found, then
     * opens it for real through /proc/self/fd. Returns an fd or a negative errno.
     */
    private int resolve(int base, byte[] relative, String name, int flags, int mode, long resolve, int magic) {
        int want = flags & ~O_CLOEXEC | O_NOCTTY | O_CLOEXEC;
        for (int attempt = 0; attempt < CREATE_TRIES; attempt++) {
            // O_EXCL never follows a final symbolic link; O_NOFOLLOW asks the same
            int pathFlags = O_PATH | O_CLOEXEC | (flags & (O_NOFOLLOW | O_DIRECTORY))
                    | ((flags & O_CREAT) != 0 && (flags & O_EXCL) != 0 ? O_NOFOLLOW : 0);
            boolean tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
            if (tmpfile) {
                pathFlags = O_PATH | O_CLOEXEC | O_DIRECTORY;
            }
            int found = magic >= 0 ? reopen(magic, O_PATH | O_CLOEXEC, 0)
                    : openat2(base, relative, name, pathFlags, 0, resolve);
            if (found == -Errno.EINTR.number() || found == -Errno.EAGAIN.number()) {
                // a stray wake-up of this worker (SIGURG), or openat2's "a rename raced the walk": again
                continue;
            }
            if (found >= 0) {
                try {
                    if ((flags & O_CREAT) != 0 && (flags & O_EXCL) != 0 && !tmpfile) {
                        return -Errno.EEXIST.number();
                    }
                    int type = checkType(found, flags);
                    if (type != 0) {
                        return type;
                    }
                    if ((flags & O_PATH) != 0) {
                        int dup = NotifyCalls.fcntl(found, (int) LinuxConstants.F_DUPFD_CLOEXEC, 0);
                        return dup >= 0 ? dup : -Native.getLastError();
                    }
                    // opening again through the magic link checks permission and runs the file's open
                    return reopen(found, want & ~(O_CREAT | O_EXCL | O_NOFOLLOW), mode);
                } finally {
                    closeQuietly(found);
                }
            }
            int errno = -found;
            if (errno != Errno.ENOENT.number() || (flags & O_CREAT) == 0 || magic >= 0) {
                return found;
            }
            // not there: create it, and only a new file (O_EXCL), which cannot be a device
            int made = openat2(base, relative, name, want | O_EXCL, mode, resolve);
            if (made >= 0 || -made != Errno.EEXIST.number() || (flags & O_EXCL) != 0) {
                return made;
            }
        }
        return -Errno.EEXIST.number();
    }

    private int checkType(int fd, int flags) {
        if (NotifyCalls.fstat(fd, st) != 0) {
            return -Native.getLastError();
        }
        int type = stView.getInt(LinuxConstants.STAT_MODE) & S_IFMT;
        if ((flags & O_PATH) != 0) {
            return 0;
        }
        if (type == (int) LinuxConstants.S_IFLNK) {
            // O_NOFOLLOW on a symbolic link (O_PATH took the link itself)
            return -Errno.ELOOP.number();
        }
        if (type == (int) LinuxConstants.S_IFCHR || type == (int) LinuxConstants.S_IFBLK) {
            long dev = stView.getLong(LinuxConstants.STAT_RDEV);
            long major = (dev >>> 8) & 0xfff | (dev >>> 32) & ~0xfffL;
            long minor = dev & 0xff | (dev >>> 12) & ~0xffL;
            if (type == (int) LinuxConstants.S_IFCHR && major == 5 && minor == 0) {
                // /dev/tty is the opener's controlling terminal: the supervisor's is not the caller's
                return -Errno.ENXIO.number();
            }
            if (type == (int) LinuxConstants.S_IFBLK || !allowedDevice(major, minor)) {
                return -Errno.EPERM.number();
            }
        }
        return 0;
    }

    /**
     * The character devices every OCI container gets (null, zero, full, random,
     * urandom, ptmx and the pty slaves), the only ones the supervisor opens: the
     * container's device cgroup does not apply to the supervisor's own open.
     */
    static boolean allowedDevice(long major, long minor) {
        if (major == 1) {
            return minor == 3 || minor == 5 || minor == 7 || minor == 8 || minor == 9;
        }
        return (major == 5 && minor == 2) || (major >= 136 && major <= 143);
    }

    private int reopen(int fd, int flags, int mode) {
        int r = NotifyCalls.openat(ownFds, cstr(aux, Integer.toString(fd)), flags, mode);
        return r >= 0 ? r : -Native.getLastError();
    }

    private int openat2(int base, byte[] relative, String name, int flags, int mode, long resolve) {
        if (relative != null) {
            path.write(0, relative, 0, relative.length);
            path.setByte(relative.length, (byte) 0);
        } else {
            cstr(path, name);
        }
        howView.putLong(LinuxConstants.OPEN_HOW_FLAGS, Integer.toUnsignedLong(flags));
        howView.putLong(LinuxConstants.OPEN_HOW_MODE, mode);
        howView.putLong(LinuxConstants.OPEN_HOW_RESOLVE, resolve | RESOLVE_NO_MAGICLINKS);
        long r = NotifyCalls.syscall(LinuxConstants.SYS_openat2, base, pointer(path), pointer(how),
                LinuxConstants.SIZEOF_OPEN_HOW, 0, 0);
        return r >= 0 ? (int) r : -Native.getLastError();
    }

    /**
     * /proc/self and /proc/thread-self name the opener: in the caller's proc they
     * must name the caller, as the caller's pid in its own namespace.
     */
    private String procSelf(String where) {
        if (where.startsWith("/proc/self") && (where.length() == 10 || where.charAt(10) == '/')) {
            return "/proc/" + creds.nsPid + where.substring(10);
        }
        if (where.startsWith("/proc/thread-self") && (where.length() == 17 || where.charAt(17) == '/')) {
            return "/proc/" + creds.nsPid + "/task/" + creds.nsTid + where.substring(17);
        }
        return where;
    }

    /** Reads the caller's Umask, Uid, Gid, Groups, CapEff, NStgid and NSpid. */
    private boolean readCreds(int tid) {
        int fd = NotifyCalls.open(cstr(path, "/proc/" + tid + "/status"), O_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        int n;
        try {
            n = (int) NotifyCalls.read(fd, status, status.size() - 1);
        } finally {
            NotifyCalls.close(fd);
        }
        if (n <= 0) {
            return false;
        }
        byte[] s = statusBytes;
        status.read(0, s, 0, n);
        creds.groupCount = 0;
        int seen = 0;
        for (int i = 0; i < n; ) {
            int end = i;
            while (end < n && s[end] != '\n') {
                end++;
            }
            if (starts(s, i, "Umask:")) {
                creds.umask = (int) field(s, i + 6, end, 0, 8);
                seen |= 1;
            } else if (starts(s, i, "Uid:")) {
                creds.fsuid = (int) field(s, i + 4, end, 3, 10);
                seen |= 2;
            } else if (starts(s, i, "Gid:")) {
                creds.fsgid = (int) field(s, i + 4, end, 3, 10);
                seen |= 4;
            } else if (starts(s, i, "Groups:")) {
                for (int k = 0; ; k++) {
                    long g = field(s, i + 7, end, k, 10);
                    if (g < 0 || k >= 65536) {
                        break;
                    }
                    groups.setInt(4L * k, (int) g);
                    creds.groupCount = k + 1;
                }
            } else if (starts(s, i, "CapEff:")) {
                creds.effective = field(s, i + 7, end, 0, 16);
                seen |= 8;
            } else if (starts(s, i, "NStgid:")) {
                creds.nsPid = (int) last(s, i + 7, end);
            } else if (starts(s, i, "NSpid:")) {
                creds.nsTid = (int) last(s, i + 6, end);
            }
            i = end + 1;
        }
        if (seen != 15) {
            return false;
        }
        if (NotifyCalls.stat(cstr(path, "/proc/" + tid + "/ns/user"), st) != 0) {
            return false;
        }
        if (st.getLong(LinuxConstants.STAT_INO) != ownUserNs) {
            creds.effective = 0;
        }
        return true;
    }

    private static boolean starts(byte[] s, int at, String prefix) {
        if (at + prefix.length() > s.length) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (s[at + k] != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** The {@code index}th whitespace-separated number in s[from, to), or -1. */
    private static long field(byte[] s, int from, int to, int index, int radix) {
        int i = from;
        for (int k = 0; ; k++) {
            while (i < to && (s[i] == ' ' || s[i] == '\t')) {
                i++;
            }
            if (i >= to) {
                return -1;
            }
            long v = 0;
            while (i < to && s[i] != ' ' && s[i] != '\t') {
                v = v * radix + Character.digit(s[i], radix);
                i++;
            }
            if (k == index) {
                return v;
            }
        }
    }

    private static long last(byte[] s, int from, int to) {
        long v = -1;
        for (int k = 0; ; k++) {
            long x = field(s, from, to, k, 10);
            if (x < 0) {
                return v;
            }
            v = x;
        }
    }

    /** Takes the caller's file credentials: groups, fsgid, fsuid, then the capabilities. */
    private void becomeCaller() {
        if (creds.groupCount != ownGroupCount || !sameGroups()) {
            check((int) NotifyCalls.syscall(LinuxConstants.SYS_setgroups, creds.groupCount, pointer(groups), 0, 0, 0,
                    0), "setgroups");
        }
        NotifyCalls.setfsgid(creds.fsgid);
        NotifyCalls.setfsuid(creds.fsuid);
        setCaps(creds.effective & ownPermitted);
    }

    private boolean sameGroups() {
        for (int k = 0; k < ownGroupCount; k++) {
            if (groups.getInt(4L * k) != ownGroups.getInt(4L * k)) {
                return false;
            }
        }
        return true;
    }

    /** Capabilities first: setgroups needs CAP_SETGID, which the caller may lack. */
    private void becomeSupervisor() {
        setCaps(ownEffective);
        NotifyCalls.setfsuid(ownFsuid);
        NotifyCalls.setfsgid(ownFsgid);
        if (creds.groupCount != ownGroupCount || !sameGroups()) {
            check((int) NotifyCalls.syscall(LinuxConstants.SYS_setgroups, ownGroupCount, pointer(ownGroups), 0, 0, 0,
                    0), "setgroups");
        }
    }

    private void setCaps(long effective) {
        capHeaderView.putInt(0, (int) LinuxConstants._LINUX_CAPABILITY_VERSION_3);
        capHeaderView.putInt(4, 0);
        capView.putInt(0, (int) effective);
        capView.putInt(4, (int) ownPermitted);
        capView.putInt(8, (int) ownInheritable);
        capView.putInt(12, (int) (effective >>> 32));
        capView.putInt(16, (int) (ownPermitted >>> 32));
        capView.putInt(20, (int) (ownInheritable >>> 32));
        check((int) NotifyCalls.syscall(LinuxConstants.SYS_capset, pointer(capHeader), pointer(capData), 0, 0, 0, 0),
                "capset");
    }

    private static long pointer(Memory m) {
        return com.sun.jna.Pointer.nativeValue(m);
    }

    private static Memory cstr(Memory m, String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            m.setByte(i, (byte) s.charAt(i));
        }
        m.setByte(n, (byte) 0);
        return m;
    }

    private static int check(int r, String what) {
        if (r < 0) {
            throw new IllegalStateException(what + " failed: errno " + Native.getLastError());
        }
        return r;
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            NotifyCalls.close(fd);
        }
    }

    @Override
    public void close() {
        closeQuietly(hostRoot);
        closeQuietly(ownFds);
    }
}
