package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.seccomp.SeccompConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The stat, access and readlink families made in a caller's place, on the
 * worker thread of a {@link CallerOpen} (its fs context, its way into the
 * caller's root, cwd and credentials): the call runs with the name the policy
 * decided on, into a buffer of the supervisor's, and the result is written into
 * the caller's memory with process_vm_writev. The kernel never reads the
 * caller's name again, so a name swapped after the check changes nothing.
 *
 * <p>Three things differ from a plain call made with the caller's credentials.
 * access and faccessat without AT_EACCESS check with the caller's real uid and
 * gid (and, for a real uid 0, its permitted capabilities), as the kernel does;
 * the call is then made with AT_EACCESS under those ids. A process may look at
 * its own /proc links (exe, cwd, root, fd/N, ns/X) whatever its credentials (the
 * ptrace check passes within a thread group), which the worker is not part of,
 * so such a name is found below the caller's /proc/TID as the host sees it, with
 * the supervisor's credentials, and only the permission check of access runs
 * with the caller's. And owners in a struct stat
 * are as the supervisor's user namespace sees them: for a caller in another
 * they are mapped through its uid_map and gid_map (the overflow ids for the
 * unmapped), as the kernel maps them for the caller.
 */
final class CallerStat {
    /** The calls made here (SupervisedSyscalls' stat category). */
    static final Set<String> EMULATED = Set.of("stat", "lstat", "newfstatat", "statx", "access", "faccessat",
            "faccessat2", "readlink", "readlinkat");

    private static final int PATH_MAX = 4096;
    private static final int AT_FDCWD = (int) LinuxConstants.AT_FDCWD;
    private static final int AT_SYMLINK_NOFOLLOW = (int) LinuxConstants.AT_SYMLINK_NOFOLLOW;
    private static final int AT_EMPTY_PATH = (int) LinuxConstants.AT_EMPTY_PATH;
    private static final int AT_EACCESS = (int) LinuxConstants.AT_EACCESS;
    private static final int O_PATH = (int) LinuxConstants.O_PATH;
    private static final int O_CLOEXEC = (int) LinuxConstants.O_CLOEXEC;
    private static final int O_NOFOLLOW = (int) LinuxConstants.O_NOFOLLOW;

    private enum Kind { STAT, STATX, ACCESS, READLINK }

    private final CallerOpen thread;
    private final NotifyCalls calls;
    private final Arena arena = Arena.ofConfined();
    /** The name as called: the policy's bytes, /proc/self made the caller's. */
    private final MemorySegment name = arena.allocate(PATH_MAX + 64, 8);
    private final MemorySegment empty = arena.allocate(8, 8);
    /** What the call gives back: a struct stat or statx, or a link's text. */
    private final MemorySegment result = arena.allocate(PATH_MAX, 8);
    private final MemorySegment notifId = arena.allocate(8, 8);
    private final ByteBuffer nameView = NotifySupervisor.view(name);
    private final ByteBuffer resultView = NotifySupervisor.view(result);
    private final int overflowUid;
    private final int overflowGid;

    CallerStat(CallerOpen thread) {
        this.thread = thread;
        this.calls = thread.calls();
        overflowUid = overflow("/proc/sys/kernel/overflowuid");
        overflowGid = overflow("/proc/sys/kernel/overflowgid");
    }

    /**
     * An overflow id sysctl, read in one read(2) at offset 0: an integer sysctl
     * says nothing at a later offset, so a reader that starts with a byte or two
     * (as the JDK's readString does with a file of size 0) gets a prefix only.
     */
    private int overflow(String file) {
        byte[] n = file.getBytes(StandardCharsets.US_ASCII);
        nameView.put(0, n);
        nameView.put(n.length, (byte) 0);
        int fd = calls.open(name, O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("open " + file + " failed: errno " + calls.errno());
        }
        long got;
        try {
            got = calls.read(fd, result, 32);
        } finally {
            NotifyCalls.close(fd);
        }
        if (got <= 0) {
            throw new IllegalStateException("read " + file + " failed: errno " + calls.errno());
        }
        byte[] text = new byte[(int) got];
        resultView.get(0, text);
        try {
            return Integer.parseInt(new String(text, StandardCharsets.US_ASCII).strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " holds no number", e);
        }
    }

    /**
     * Makes {@code syscall} (one of {@link #EMULATED}) with {@code args} for thread
     * {@code tid}, whose name argument is {@code path} (the bytes decided on), and
     * writes its result into the caller's memory while notification {@code id} on
     * {@code listener} still waits. Returns the call's return value or a negative
     * errno.
     */
    long call(int tid, long id, int listener, String syscall, long[] args, byte[] path) {
        Kind kind;
        int dirfd = AT_FDCWD;
        int flags = 0;
        int mode = 0;
        long buffer = 0;
        int size = 0;
        switch (syscall) {
            case "stat", "lstat" -> {
                kind = Kind.STAT;
                flags = syscall.equals("lstat") ? AT_SYMLINK_NOFOLLOW : 0;
                buffer = args[1];
            }
            case "newfstatat" -> {
                kind = Kind.STAT;
                dirfd = (int) args[0];
                buffer = args[2];
                flags = (int) args[3];
            }
            case "statx" -> {
                kind = Kind.STATX;
                dirfd = (int) args[0];
                flags = (int) args[2];
                mode = (int) args[3];
                buffer = args[4];
            }
            case "access" -> {
                kind = Kind.ACCESS;
                mode = (int) args[1];
            }
            case "faccessat", "faccessat2" -> {
                kind = Kind.ACCESS;
                dirfd = (int) args[0];
                mode = (int) args[2];
                flags = syscall.equals("faccessat2") ? (int) args[3] : 0;
            }
            case "readlink" -> {
                kind = Kind.READLINK;
                buffer = args[1];
                size = (int) args[2];
            }
            case "readlinkat" -> {
                kind = Kind.READLINK;
                dirfd = (int) args[0];
                buffer = args[2];
                size = (int) args[3];
            }
            default -> throw new IllegalArgumentException(syscall + " is not a stat call");
        }
        if (kind == Kind.READLINK && size > 0) {
            // no link text is longer: a symbolic link holds less than a page, a /proc link a path
            size = Math.min(size, PATH_MAX);
        }
        int dir = AT_FDCWD;
        int proc = -1;
        long r;
        boolean sameUserNs;
        try {
            if (dirfd != AT_FDCWD) {
                dir = thread.callerFd(tid, dirfd);
                if (dir < 0) {
                    return dir;
                }
            }
            boolean followLast = kind != Kind.READLINK && (flags & AT_SYMLINK_NOFOLLOW) == 0;
            int fd = devFd(path, followLast);
            if (fd >= 0 || startsWithComponent(path, PROC)) {
                // the caller's /proc/TID as the host sees it, opened before the worker leaves the host's root
                proc = thread.callerProc(tid);
            }
            int entered = thread.enter(tid);
            if (entered < 0) {
                return entered;
            }
            sameUserNs = thread.sameUserNs();
            putName(path);
            boolean realIds = kind == Kind.ACCESS && (flags & AT_EACCESS) == 0;
            String link = proc < 0 ? null : fd >= 0 ? "fd/" + fd : ownLink(path);
            if (link != null) {
                r = callOnOwnLink(kind, proc, link, flags, mode, size, realIds);
            } else {
                thread.takeCallerIds(realIds);
                r = make(kind, dir, name, flags, mode, size);
                if (r == -Errno.ENOENT.number()) {
                    // perhaps a link on the way led to proc's self, which does not name the worker
                    String spelled = thread.selfLinks().spellOut(dir, path, followLast);
                    if (spelled != null) {
                        putName(spelled.getBytes(StandardCharsets.ISO_8859_1));
                        r = make(kind, dir, name, flags, mode, size);
                    }
                }
            }
        } finally {
            thread.leave();
            if (dir >= 0) {
                NotifyCalls.close(dir);
            }
            if (proc >= 0) {
                NotifyCalls.close(proc);
            }
        }
        if (r < 0 || kind == Kind.ACCESS) {
            return r;
        }
        int length = switch (kind) {
            case STAT -> LinuxConstants.SIZEOF_STAT;
            case STATX -> LinuxConstants.SIZEOF_STATX;
            default -> (int) r;
        };
        if (!sameUserNs && kind != Kind.READLINK) {
            mapOwners(tid, kind == Kind.STAT ? LinuxConstants.STAT_UID : LinuxConstants.STATX_UID,
                    kind == Kind.STAT ? LinuxConstants.STAT_GID : LinuxConstants.STATX_GID);
        }
        int written = writeToCaller(tid, id, listener, buffer, length);
        return written < 0 ? written : r;
    }

    /**
     * One of the caller's own /proc links, {@code link} below its /proc/TID as
     * the host sees it ({@code proc}): found there with the supervisor's
     * credentials, whatever the container's /proc holds (a thread group passes
     * the ptrace check on itself, the worker would not with the caller's
     * credentials), while chrooted into the caller's root, so a link's text is as
     * the caller sees it; then the call is made on what was found, access checking
     * it with the caller's ids.
     */
    private long callOnOwnLink(Kind kind, int proc, String link, int flags, int mode, int size, boolean realIds) {
        put(0, link);
        nameView.put(link.length(), (byte) 0);
        boolean follow = kind != Kind.READLINK && (flags & AT_SYMLINK_NOFOLLOW) == 0;
        int found = calls.openat(proc, name, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0);
        if (found < 0) {
            return -calls.errno();
        }
        try {
            if (kind == Kind.ACCESS) {
                thread.takeCallerIds(realIds);
            }
            return make(kind, found, empty, (flags & ~AT_SYMLINK_NOFOLLOW) | AT_EMPTY_PATH, mode, size);
        } finally {
            NotifyCalls.close(found);
        }
    }

    /** The call itself, into {@link #result}; access always with AT_EACCESS (the ids are already the right ones). */
    private long make(Kind kind, int dir, MemorySegment file, int flags, int mode, int size) {
        long r = switch (kind) {
            case STAT -> calls.syscall(LinuxConstants.SYS_newfstatat, dir, file.address(), result.address(), flags,
                    0, 0);
            case STATX -> calls.syscall(LinuxConstants.SYS_statx, dir, file.address(), flags,
                    Integer.toUnsignedLong(mode), result.address(), 0);
            case ACCESS -> calls.syscall(LinuxConstants.SYS_faccessat2, dir, file.address(), mode,
                    flags | AT_EACCESS, 0, 0);
            case READLINK -> calls.syscall(LinuxConstants.SYS_readlinkat, dir, file.address(), result.address(), size,
                    0, 0);
        };
        return r < 0 ? -calls.errno() : r;
    }

    private static final byte[] PROC = "/proc".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEV = "/dev/".getBytes(StandardCharsets.US_ASCII);

    /**
     * The caller's fd that /dev/fd/N, or with {@code followLast} /dev/stdin,
     * /dev/stdout or /dev/stderr, stands for, or -1. These are links to
     * /proc/self/fd (every OCI container has them, as {@link CallerOpen} assumes
     * too), and /proc/self in the container's proc would name the worker, which
     * that proc does not show.
     */
    private static int devFd(byte[] path, boolean followLast) {
        if (path.length < 8 || !startsWithComponent(path, "/dev".getBytes(StandardCharsets.US_ASCII))
                || path[4] != DEV[4]) {
            return -1;
        }
        String p = new String(path, StandardCharsets.ISO_8859_1);
        if (!followLast && !p.startsWith("/dev/fd/")) {
            return -1;
        }
        return ContainerPaths.magicFd(p);
    }
    private static final byte[] PROC_SELF = "/proc/self".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROC_THREAD_SELF = "/proc/thread-self".getBytes(StandardCharsets.US_ASCII);

    /**
     * Writes {@code path} NUL-terminated into {@link #name}, /proc/self and
     * /proc/thread-self made the caller's pid (and tid) in its namespace (the
     * worker's own are not in the container's proc).
     */
    private void putName(byte[] path) {
        int at;
        int from;
        if (startsWithComponent(path, PROC_SELF)) {
            at = put(0, "/proc/" + thread.nsPid());
            from = PROC_SELF.length;
        } else if (startsWithComponent(path, PROC_THREAD_SELF)) {
            at = put(0, "/proc/" + thread.nsPid() + "/task/" + thread.nsTid());
            from = PROC_THREAD_SELF.length;
        } else {
            at = 0;
            from = 0;
        }
        nameView.put(at, path, from, path.length - from);
        nameView.put(at + path.length - from, (byte) 0);
    }

    /**
     * When {@code path} is /proc/self/L, /proc/thread-self/L, /proc/PID/L or
     * /proc/PID/task/TID/L of the caller (its pid and tid in its namespace), L
     * one of the links a process may always follow or read in its own /proc (exe,
     * cwd, root, fd/N, ns/X): L; otherwise null.
     */
    private String ownLink(byte[] path) {
        String p = new String(path, StandardCharsets.ISO_8859_1);
        String rest;
        if (startsWithComponent(path, PROC_SELF)) {
            rest = p.substring(PROC_SELF.length);
        } else if (startsWithComponent(path, PROC_THREAD_SELF)) {
            rest = p.substring(PROC_THREAD_SELF.length);
        } else {
            String pid = "/proc/" + thread.nsPid() + "/";
            if (!p.startsWith(pid)) {
                return null;
            }
            rest = p.substring(pid.length() - 1);
            String task = "/task/" + thread.nsTid() + "/";
            if (rest.startsWith(task)) {
                rest = rest.substring(task.length() - 1);
            }
        }
        if (rest.equals("/exe") || rest.equals("/cwd") || rest.equals("/root")
                || (rest.startsWith("/fd/") && rest.length() > 4 && rest.chars().skip(4).allMatch(c -> c >= '0' && c <= '9'))
                || (rest.startsWith("/ns/") && rest.length() > 4
                        && rest.chars().skip(4).allMatch(c -> (c >= 'a' && c <= 'z') || c == '_'))) {
            return rest.substring(1);
        }
        return null;
    }

    private static boolean startsWithComponent(byte[] path, byte[] prefix) {
        if (path.length < prefix.length || (path.length > prefix.length && path[prefix.length] != '/')) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (path[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private int put(int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            nameView.put(at + i, (byte) s.charAt(i));
        }
        return at + s.length();
    }

    /** A struct stat's or statx's owner and group, as the caller's user namespace names them. */
    private void mapOwners(int tid, int uidAt, int gidAt) {
        resultView.putInt(uidAt, mapId(tid, "uid_map", resultView.getInt(uidAt), overflowUid));
        resultView.putInt(gidAt, mapId(tid, "gid_map", resultView.getInt(gidAt), overflowGid));
    }

    /** {@code id} of this namespace in the caller's, from /proc/TID/{map} ("inside outside count" lines). */
    private static int mapId(int tid, String map, int id, int overflow) {
        String text;
        try {
            text = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + tid + "/" + map));
        } catch (java.io.IOException e) {
            // the caller is gone: nobody reads the answer
            return overflow;
        }
        long outsideId = Integer.toUnsignedLong(id);
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) {
                continue;
            }
            long inside = Long.parseLong(f[0]);
            long outside = Long.parseLong(f[1]);
            long count = Long.parseLong(f[2]);
            if (outsideId >= outside && outsideId - outside < count) {
                return (int) (inside + outsideId - outside);
            }
        }
        return overflow;
    }

    /**
     * Copies {@code length} bytes of {@link #result} to {@code address} in the
     * caller, right after checking its notification still waits (a thread that
     * ended meanwhile may have left its tid to another process). Returns 0 or
     * -EFAULT, as the kernel's own copy would fail on memory the caller cannot
     * write.
     */
    private int writeToCaller(int tid, long id, int listener, long address, int length) {
        if (length == 0) {
            return 0;
        }
        notifId.set(ValueLayout.JAVA_LONG, 0, id);
        if (calls.ioctl(listener, SeccompConstants.SECCOMP_IOCTL_NOTIF_ID_VALID, notifId) != 0) {
            return -Errno.ESRCH.number();
        }
        return calls.writeTo(tid, result.address(), address, length) == length ? 0 : -Errno.EFAULT.number();
    }

    void close() {
        arena.close();
    }
}
