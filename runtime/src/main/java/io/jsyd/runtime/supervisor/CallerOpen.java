package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.seccomp.SeccompConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

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

    private static final int AT_FDCWD = (int) LinuxConstants.AT_FDCWD;
    private static final int CAP_NET_BIND_SERVICE = 10;

    /** Retries of an O_CREAT open that another process races (the name appears and goes). */
    private static final int CREATE_TRIES = 4;

    /** This thread's native memory (the instance is confined to the worker thread that made it). */
    private final Arena arena = Arena.ofConfined();
    private final NotifyCalls calls = new NotifyCalls(arena);
    private final MemorySegment path = arena.allocate(PATH_MAX + 64, 8);
    private final MemorySegment aux = arena.allocate(PATH_MAX + 64, 8);
    private final MemorySegment how = arena.allocate(LinuxConstants.SIZEOF_OPEN_HOW, 8);
    private final MemorySegment st = arena.allocate(LinuxConstants.SIZEOF_STAT, 8);
    private final MemorySegment addfd = arena.allocate(SeccompConstants.SIZEOF_SECCOMP_NOTIF_ADDFD, 8);
    private final java.nio.ByteBuffer pathView = NotifySupervisor.view(path);
    private final java.nio.ByteBuffer auxView = NotifySupervisor.view(aux);
    private final java.nio.ByteBuffer howView = NotifySupervisor.view(how);
    private final java.nio.ByteBuffer stView = NotifySupervisor.view(st);
    private final java.nio.ByteBuffer addfdView = NotifySupervisor.view(addfd);
    private final int hostRoot;
    private final int ownFds;

    private final MemorySegment[] names = {arena.allocate(PATH_MAX + 1, 8), arena.allocate(PATH_MAX + 1, 8),
        arena.allocate(PATH_MAX + 1, 8)};
    /** Taking the caller's credentials and giving them back. */
    private final CallerIdentity identity;
    private final CallerIdentity.Creds creds;
    private final long[] callArgs = new long[6];
    private final int[] dirfds = new int[2];

    /** What {@link #enter} did, for {@link #leave} to undo. */
    private int enteredRoot = -1;
    private int enteredCwd = -1;
    private boolean chrooted;
    private boolean became;
    private CallerStat stat;
    private SelfLinkWalk selfLinks;

    /** Prepares the calling thread (its own fs context, umask 0); one per worker thread. */
    CallerOpen() {
        check(calls.unshare((int) LinuxConstants.CLONE_FS), "unshare(CLONE_FS)");
        NotifyCalls.umask(0);
        hostRoot = check(calls.open(cstr(path, "/"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0), "open /");
        ownFds = check(calls.open(cstr(path, "/proc/self/fd"), O_PATH | O_DIRECTORY | O_CLOEXEC, 0),
                "open /proc/self/fd");
        identity = new CallerIdentity(calls, arena, cstr(path, "/proc/self/ns/user"));
        creds = identity.creds;
    }

    /**
     * Opens {@code where} (an absolute path in the caller's root, the name the
     * policy allowed) for thread {@code tid}, or, with {@code dirfd} >= 0 or AT_FDCWD
     * and a relative {@code relative}, that name below the caller's directory.
     * Returns an fd of this process for {@link #install}, or a negative errno to
     * answer with.
     *
     * @param fdNumber the caller's fd a magic link such as /proc/self/fd/N or
     *     /dev/stdin names, or -1
     */
    int open(int tid, String where, byte[] relative, int dirfd, long flags, long mode, long resolve, int fdNumber) {
        int r = openOnce(tid, where, relative, dirfd, flags, mode, resolve, fdNumber);
        if (r != -Errno.ENOENT.number() || fdNumber >= 0) {
            return r;
        }
        // perhaps a link on the way led through proc's self, which names no one for the worker
        if (!mayLeadThroughProc(tid, where)) {
            return r;
        }
        String spelled = spelledOut(tid, relative != null ? relative : where.getBytes(StandardCharsets.ISO_8859_1),
                relative != null ? dirfd : AT_FDCWD, (flags & O_NOFOLLOW) == 0);
        if (spelled == null) {
            return r;
        }
        // spelled out from where the walk began: the root for an absolute name, else the same dirfd or cwd
        return spelled.startsWith("/") ? openOnce(tid, spelled, null, AT_FDCWD, flags, mode, resolve, -1)
                : openOnce(tid, where, spelled.getBytes(StandardCharsets.ISO_8859_1),
                        relative != null ? dirfd : AT_FDCWD, flags, mode, resolve, -1);
    }

    /**
     * Whether a name that was not found ({@code where}, as the container sees it)
     * may have met proc's self on its way: it lies in /proc, or it is there as
     * a link (/etc/mtab). Most names not found are simply not there (a loader's
     * or a shell's search), and for those the walk again would cost more than the
     * open did. Looked at from the caller's root with the supervisor's rights:
     * it only decides whether to look again.
     */
    private boolean mayLeadThroughProc(int tid, String where) {
        if (where.equals("/proc") || where.startsWith("/proc/")) {
            return true;
        }
        int root = calls.open(procPath(tid, ROOT, -1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (root < 0) {
            return false;
        }
        try {
            int link = openat2(root, null, where, O_PATH | O_CLOEXEC | O_NOFOLLOW, 0, RESOLVE_IN_ROOT);
            closeQuietly(link);
            return link >= 0;
        } finally {
            closeQuietly(root);
        }
    }

    /**
     * {@code name} from the caller's {@code dirfd} (or cwd) with its links
     * spelled out as the caller walks them ({@link SelfLinkWalk}), or null when
     * none went through proc's self.
     */
    private String spelledOut(int tid, byte[] name, int dirfd, boolean followLast) {
        int dir = name.length > 0 && name[0] != '/' && dirfd != AT_FDCWD ? callerFd(tid, dirfd) : AT_FDCWD;
        if (dir < 0 && dir != AT_FDCWD) {
            return null;
        }
        // made before the thread leaves the host's root: its class may still have to be read from a file
        SelfLinkWalk walk = selfLinks();
        try {
            if (enter(tid) < 0) {
                return null;
            }
            takeCallerIds(false);
            return walk.spellOut(dir, name, followLast);
        } finally {
            leave();
            if (dir >= 0) {
                closeQuietly(dir);
            }
        }
    }

    private int openOnce(int tid, String where, byte[] relative, int dirfd, long flags, long mode, long resolve,
            int fdNumber) {
        int f = (int) flags;
        if (!readCreds(tid)) {
            return -Errno.ESRCH.number();
        }
        int root = -1;
        int dir = -1;
        boolean chrooted = false;
        try {
            String name = where;
            if (fdNumber >= 0) {
                // the caller's own open file, reopened as the kernel reopens a magic link
                dir = calls.open(procPath(tid, FD, fdNumber), O_PATH | O_CLOEXEC, 0);
                if (dir < 0) {
                    return -calls.errno();
                }
            } else if (relative != null) {
                MemorySegment base = dirfd == (int) LinuxConstants.AT_FDCWD ? procPath(tid, CWD, -1)
                        : procPath(tid, FD, dirfd);
                dir = calls.open(base, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                root = calls.open(procPath(tid, ROOT, -1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                if (dir < 0 || root < 0) {
                    return dir < 0 ? -Errno.ENOTDIR.number() : -Errno.ESRCH.number();
                }
                check(calls.fchdir(root), "fchdir to the caller's root");
                check(calls.chroot(cstr(path, ".")), "chroot to the caller's root");
                chrooted = true;
            } else {
                root = calls.open(procPath(tid, ROOT, -1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                if (root < 0) {
                    return -Errno.ESRCH.number();
                }
                name = procSelf(where);
            }
            int file = -1;
            try {
                identity.becomeCaller(false, false);
                file = resolve(fdNumber >= 0 ? -2 : relative != null ? dir : root, relative != null ? relative : null,
                        name, f, (int) (mode & 07777 & ~creds.umask), resolve | (relative == null ? RESOLVE_IN_ROOT : 0),
                        fdNumber >= 0 ? dir : -1);
            } finally {
                try {
                    identity.becomeSupervisor();
                } catch (RuntimeException e) {
                    closeQuietly(file);
                    throw e;
                }
            }
            return file;
        } finally {
            if (chrooted) {
                check(calls.fchdir(hostRoot), "fchdir back to the supervisor's root");
                check(calls.chroot(cstr(path, ".")), "chroot back to the supervisor's root");
            }
            closeQuietly(dir);
            closeQuietly(root);
        }
    }

    /**
     * Installs {@code file} (from {@link #open}, closed here) in the caller of
     * notification {@code id}, as its answer. Everything else is tidied before:
     * the caller is woken on this CPU and runs after whatever follows. A caller
     * that died or was interrupted meanwhile has no answer to take (ENOENT).
     */
    void install(long id, int listener, int file, long flags) {
        try {
            addfdView.putLong(SeccompConstants.SECCOMP_NOTIF_ADDFD_ID, id);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_FLAGS, (int) SeccompConstants.SECCOMP_ADDFD_FLAG_SEND);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_SRCFD, file);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_NEWFD, 0);
            addfdView.putInt(SeccompConstants.SECCOMP_NOTIF_ADDFD_NEWFD_FLAGS, (int) flags & O_CLOEXEC);
            calls.ioctl(listener, SeccompConstants.SECCOMP_IOCTL_NOTIF_ADDFD, addfd);
        } finally {
            closeQuietly(file);
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
        System.arraycopy(args, 0, callArgs, 0, 6);
        dirfds[0] = -1;
        dirfds[1] = -1;
        try {
            for (int k = 0; k < count; k++) {
                MemorySegment.copy(strings[k], 0, names[k], ValueLayout.JAVA_BYTE, 0, strings[k].length);
                names[k].set(ValueLayout.JAVA_BYTE, strings[k].length, (byte) 0);
                callArgs[stringArgs[k]] = names[k].address();
            }
            for (int i = 0; i < dirfdArgs.length; i++) {
                int fd = (int) args[dirfdArgs[i]];
                if (fd != (int) LinuxConstants.AT_FDCWD) {
                    dirfds[i] = callerFd(tid, fd);
                    if (dirfds[i] < 0) {
                        return dirfds[i];
                    }
                    callArgs[dirfdArgs[i]] = dirfds[i];
                }
            }
            return inCallerPlace(tid, false, false, () -> {
                long r = calls.syscall(nr, callArgs[0], callArgs[1], callArgs[2], callArgs[3], callArgs[4],
                        callArgs[5]);
                return r < 0 ? -calls.errno() : r;
            });
        } finally {
            closeQuietly(dirfds[0]);
            closeQuietly(dirfds[1]);
            dirfds[0] = -1;
            dirfds[1] = -1;
        }
    }

    /** This thread's calls (errno kept per thread). */
    NotifyCalls calls() {
        return calls;
    }

    /** The stat family made in a caller's place, with this thread's setup (made on first use). */
    CallerStat stat() {
        if (stat == null) {
            stat = new CallerStat(this);
        }
        return stat;
    }

    /** The walk through proc's self links in a caller's place, with this thread's setup (made on first use). */
    SelfLinkWalk selfLinks() {
        if (selfLinks == null) {
            selfLinks = new SelfLinkWalk(this);
        }
        return selfLinks;
    }

    /**
     * An O_PATH fd of this process for the caller's fd {@code fd} (the same open
     * file, as pidfd_getfd would give, but without its flags), or -EBADF. Made
     * before {@link #enter}: it goes through the host's /proc.
     */
    int callerFd(int tid, int fd) {
        if (fd < 0) {
            return -Errno.EBADF.number();
        }
        int r = calls.open(procPath(tid, FD, fd), O_PATH | O_CLOEXEC, 0);
        return r >= 0 ? r : -Errno.EBADF.number();
    }

    /** An O_PATH fd of /proc/TID as this process sees it, or -ESRCH. Made before {@link #enter}. */
    int callerProc(int tid) {
        int r = calls.open(procPath(tid, NOTHING, -1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        return r >= 0 ? r : -Errno.ESRCH.number();
    }

    /**
     * Reads the credentials of thread {@code tid} and takes its place in the file
     * system: chrooted into its root, in its cwd. The thread's own credentials
     * stay until {@link #takeCallerIds}. Returns 0 or a negative errno; in either
     * case {@link #leave} undoes what was done.
     */
    int enter(int tid) {
        if (!readCreds(tid)) {
            return -Errno.ESRCH.number();
        }
        enteredRoot = calls.open(procPath(tid, ROOT, -1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        enteredCwd = calls.open(procPath(tid, CWD, -1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        if (enteredRoot < 0 || enteredCwd < 0) {
            return -Errno.ESRCH.number();
        }
        check(calls.fchdir(enteredRoot), "fchdir to the caller's root");
        check(calls.chroot(cstr(path, ".")), "chroot to the caller's root");
        chrooted = true;
        check(calls.fchdir(enteredCwd), "fchdir to the caller's cwd");
        return 0;
    }

    /**
     * After {@link #enter}: takes the caller's groups, capabilities and file ids,
     * or with {@code realIds} its real uid and gid with the capabilities the
     * kernel's access(2) gives them (those permitted to a root real uid, none to
     * another).
     */
    void takeCallerIds(boolean realIds) {
        became = true;
        identity.becomeCaller(realIds, false);
    }

    /**
     * Runs {@code call} as thread {@code tid} would make it, for what the kernel
     * takes from the calling task rather than from its arguments: chrooted into
     * the caller's root, in its cwd, with its file credentials, capabilities
     * (see the class comment) and umask. {@code call} returns a result or a
     * negative errno, as this does (ESRCH when the caller is gone).
     *
     * @param socket for a call on a socket: a caller in another user namespace
     *     keeps its effective CAP_NET_BIND_SERVICE, the capability bind checks
     *     for a low port, against the user namespace that owns the socket's
     *     network namespace, which for a container is its own
     * @param unixIds for a call on a UNIX socket: the thread also takes the
     *     caller's real and effective uid and gid (its saved ones stay the
     *     supervisor's, which is how it gets its own back), which the kernel
     *     gives the peer (SO_PEERCRED of a connection, SCM_CREDENTIALS of a
     *     datagram to a receiver with SO_PASSCRED). The pid given is still the
     *     supervisor's, which the container's pid namespace does not show (0)
     */
    long inCallerPlace(int tid, boolean socket, boolean unixIds, java.util.function.LongSupplier call) {
        try {
            int entered = enter(tid);
            if (entered < 0) {
                return entered;
            }
            if (socket) {
                creds.effective |= creds.rawEffective & 1L << CAP_NET_BIND_SERVICE;
            }
            became = true;
            identity.becomeCaller(false, unixIds);
            NotifyCalls.umask(creds.umask);
            return call.getAsLong();
        } finally {
            leave();
        }
    }

    /** See {@link CallerIdentity#mayClaim}. */
    boolean mayClaim(int pid, int uid, int gid) {
        return identity.mayClaim(pid, uid, gid);
    }

    /** Reads the caller's credentials (/proc/TID/status) and tells its user namespace from ours. */
    private boolean readCreds(int tid) {
        return identity.read(procPath(tid, STATUS, -1)) && identity.readUserNs(procPath(tid, USER_NS, -1));
    }

    /** Undoes {@link #enter} and {@link #takeCallerIds}: the supervisor's credentials, umask 0, root and cwd. */
    void leave() {
        try {
            if (became) {
                became = false;
                NotifyCalls.umask(0);
                identity.becomeSupervisor();
            }
        } finally {
            if (chrooted) {
                chrooted = false;
                check(calls.fchdir(hostRoot), "fchdir back to the supervisor's root");
                check(calls.chroot(cstr(path, ".")), "chroot back to the supervisor's root");
            }
            closeQuietly(enteredRoot);
            closeQuietly(enteredCwd);
            enteredRoot = -1;
            enteredCwd = -1;
        }
    }

    /** The caller's pid and tid in its own pid namespace (after {@link #enter}). */
    int nsPid() {
        return creds.nsPid;
    }

    int nsTid() {
        return creds.nsTid;
    }

    /** Whether the caller lives in the supervisor's user namespace (after {@link #enter}). */
    boolean sameUserNs() {
        return creds.sameUserNs;
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
                        int dup = calls.fcntl(found, (int) LinuxConstants.F_DUPFD_CLOEXEC, 0);
                        return dup >= 0 ? dup : -calls.errno();
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
        if (calls.fstat(fd, st) != 0) {
            return -calls.errno();
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
        int r = calls.openat(ownFds, number(auxView, aux, fd), flags, mode);
        return r >= 0 ? r : -calls.errno();
    }

    private int openat2(int base, byte[] relative, String name, int flags, int mode, long resolve) {
        if (relative != null) {
            pathView.put(0, relative);
            pathView.put(relative.length, (byte) 0);
        } else {
            cstr(path, name);
        }
        howView.putLong(LinuxConstants.OPEN_HOW_FLAGS, Integer.toUnsignedLong(flags));
        howView.putLong(LinuxConstants.OPEN_HOW_MODE, mode);
        howView.putLong(LinuxConstants.OPEN_HOW_RESOLVE, resolve | RESOLVE_NO_MAGICLINKS);
        long r = calls.syscall(LinuxConstants.SYS_openat2, base, path.address(), how.address(),
                LinuxConstants.SIZEOF_OPEN_HOW, 0, 0);
        return r >= 0 ? (int) r : -calls.errno();
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

    /** Writes {@code s} (Latin-1: the bytes the policy decided on) and a NUL into {@code path}. */
    private MemorySegment cstr(MemorySegment m, String s) {
        int n = s.length();
        byte[] t = n < text.length ? text : new byte[n + 1];
        for (int i = 0; i < n; i++) {
            t[i] = (byte) s.charAt(i);
        }
        t[n] = 0;
        (m == path ? pathView : auxView).put(0, t, 0, n + 1);
        return m;
    }

    /**
     * Where names are put together before one copy into native memory (a put
     * per byte into a buffer over it is a call each under C1).
     */
    private final byte[] text = new byte[PATH_MAX + 64];

    private static final byte[] NOTHING = new byte[0];
    private static final byte[] ROOT = ascii("/root");
    private static final byte[] CWD = ascii("/cwd");
    private static final byte[] FD = ascii("/fd/");
    private static final byte[] STATUS = ascii("/status");
    private static final byte[] USER_NS = ascii("/ns/user");
    private static final byte[] PROC = ascii("/proc/");

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Writes /proc/TID{suffix}[NUMBER] into {@code path}: these names are made
     * several times per notification, so without a String in between.
     */
    private MemorySegment procPath(int tid, byte[] suffix, int number) {
        byte[] t = text;
        System.arraycopy(PROC, 0, t, 0, PROC.length);
        int at = decimal(t, PROC.length, tid);
        System.arraycopy(suffix, 0, t, at, suffix.length);
        at += suffix.length;
        if (number >= 0) {
            at = decimal(t, at, number);
        }
        t[at] = 0;
        pathView.put(0, t, 0, at + 1);
        return path;
    }

    private MemorySegment number(java.nio.ByteBuffer b, MemorySegment m, int value) {
        int n = decimal(text, 0, value);
        text[n] = 0;
        b.put(0, text, 0, n + 1);
        return m;
    }

    /** Writes non-negative {@code value} in decimal at {@code at}; returns the index after it. */
    private static int decimal(byte[] b, int at, int value) {
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
            digits++;
        }
        int v = value;
        for (int i = at + digits - 1; i >= at; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return at + digits;
    }

    private int check(int r, String what) {
        if (r < 0) {
            throw new IllegalStateException(what + " failed: errno " + calls.errno());
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
        if (stat != null) {
            stat.close();
        }
        if (selfLinks != null) {
            selfLinks.close();
        }
        closeQuietly(hostRoot);
        closeQuietly(ownFds);
        arena.close();
    }
}
