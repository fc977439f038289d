package io.jsyd.runtime.trace;

import static io.jsyd.runtime.linux.LinuxConstants.AT_FDCWD;
import static io.jsyd.runtime.linux.LinuxConstants.AT_SYMLINK_NOFOLLOW;
import static io.jsyd.runtime.linux.LinuxConstants.O_CLOEXEC;
import static io.jsyd.runtime.linux.LinuxConstants.SIZEOF_STAT;
import static io.jsyd.runtime.linux.LinuxConstants.STAT_DEV;
import static io.jsyd.runtime.linux.LinuxConstants.STAT_INO;
import static io.jsyd.runtime.linux.LinuxConstants.STAT_MODE;
import static io.jsyd.runtime.linux.LinuxConstants.STAT_UID;
import static io.jsyd.runtime.linux.LinuxConstants.O_RDONLY;

import com.sun.jna.Native;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.SyscallException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the tracer reads about a stopped tracee through /proc and its memory: its
 * maps, memory use, uid, root and cwd, strings at addresses, and the program an
 * exec names, resolved inside the container's root (symlinks followed there, never
 * on the host). Reads happen while the tracee is stopped; a process that changes
 * its files meanwhile is caught by the check at the exec event.
 */
final class Tracee {
    private static final int MAX_SYMLINKS = 40;
    private static final int PATH_MAX = 4096;
    private static final int ELF_HEAD = 64 * 1024;

    /**
     * The path argument of the next call: room for two PATH_MAX paths end to end
     * ("/proc/PID/root" and a path in it), longer is ENAMETOOLONG as in the kernel.
     */
    private final NativeBuffer pathBuf = new NativeBuffer(2 * PATH_MAX + 64);
    private final CPath path = new CPath(pathBuf);
    /** The path of a walk ({@link #canonical}), apart: reading a link or the pid must not clobber it. */
    private final NativeBuffer walkBuf = new NativeBuffer(2 * PATH_MAX + 64);
    private final CPath walk = new CPath(walkBuf);
    private int[] componentStarts = new int[64];
    private final NativeBuffer strBuf = new NativeBuffer(PATH_MAX);
    private final NativeBuffer iov = new NativeBuffer(32);
    private final NativeBuffer io = new NativeBuffer(ELF_HEAD);
    private final NativeBuffer statBuf = new NativeBuffer(SIZEOF_STAT);
    /** Bytes copied out of the native buffers (in Java, through their views) before they become text. */
    private byte[] bytes = new byte[PATH_MAX];

    /** The NUL-terminated string at {@code address}, read page by page (a page may be the last mapped one). */
    String string(int pid, long address) {
        int total = 0;
        long at = address;
        ByteBuffer in = strBuf.view;
        while (total < PATH_MAX) {
            int chunk = (int) Math.min(4096 - (at & 4095), PATH_MAX - total);
            iov.view.putLong(0, strBuf.address).putLong(8, chunk).putLong(16, at).putLong(24, chunk);
            long n = TraceCalls.process_vm_readv(pid, iov.address, 1, iov.address + 16, 1, 0);
            if (n <= 0) {
                throw new SyscallException("process_vm_readv", n < 0 ? Native.getLastError() : 5, "pid " + pid);
            }
            for (int i = 0; i < n; i++) {
                byte c = in.get(i);
                if (c == 0) {
                    return new String(bytes, 0, total, StandardCharsets.UTF_8);
                }
                bytes[total++] = c;
            }
            at += n;
        }
        throw new IllegalArgumentException("a path at 0x" + Long.toHexString(address) + " of pid " + pid
                + " is longer than PATH_MAX");
    }

    List<Mapping> maps(int pid) throws IOException {
        List<Mapping> out = new ArrayList<>();
        for (String line : read(proc(pid, MAPS)).split("\n")) {
            if (!line.isEmpty()) {
                out.add(Mapping.parse(line));
            }
        }
        return out;
    }

    // the names under /proc/PID, as bytes once (a path is built for every stop)
    private static final byte[] PROC = ascii("/proc/");
    private static final byte[] SLASH = ascii("/");
    static final byte[] MAPS = ascii("maps");
    static final byte[] SMAPS_ROLLUP = ascii("smaps_rollup");
    static final byte[] STATUS = ascii("status");
    static final byte[] CWD = ascii("cwd");
    static final byte[] EXE = ascii("exe");
    static final byte[] ROOT = ascii("root");
    static final byte[] FDINFO = ascii("fdinfo");
    static final byte[] FD = ascii("fd");
    private static final byte[] PROC_NAME = ascii("proc");

    /** "/proc/PID/root" in {@code p}. */
    private static CPath procRoot(CPath p, int pid) {
        return p.clear().add(PROC).add(pid).add(SLASH).add(ROOT);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** "/proc/PID/NAME" in the path buffer. */
    private CPath proc(int pid, byte[] name) {
        return path.clear().add(PROC).add(pid).add(SLASH).add(name);
    }

    /** "/proc/PID/NAME/N" in the path buffer. */
    private CPath proc(int pid, byte[] name, int n) {
        return proc(pid, name).add(SLASH).add(n);
    }

    /** {@code text} in the path buffer. */
    private CPath host(String text) {
        return path.clear().add(text);
    }

    /** The address of a path buffer's path, NUL-terminated; ENAMETOOLONG when it did not fit. */
    private static long address(String call, CPath p) throws IOException {
        if (!p.fits()) {
            throw failure(call, p, Errno.ENAMETOOLONG.number());
        }
        return p.terminate().address();
    }

    /**
     * The text of a small /proc file, read with plain libc calls into a reused
     * buffer: the NIO path costs about three times the syscalls' own time here.
     */
    String read(String path) throws IOException {
        return read(host(path));
    }

    private String read(CPath p) throws IOException {
        return new String(bytes, 0, readBytes(p), StandardCharsets.UTF_8);
    }

    /** Reads the whole file into {@link #bytes}; its length. */
    private int readBytes(CPath p) throws IOException {
        int fd = TraceCalls.open(address("open", p), (int) (O_RDONLY | O_CLOEXEC), 0);
        if (fd < 0) {
            throw failure("open", p, Native.getLastError());
        }
        try {
            int total = 0;
            while (true) {
                long n = TraceCalls.read(fd, io.address, io.size());
                if (n < 0) {
                    throw failure("read", p, Native.getLastError());
                }
                if (n == 0) {
                    return total;
                }
                total = copy(total, (int) n);
            }
        } finally {
            TraceCalls.close(fd);
        }
    }

    /** Appends the first {@code n} bytes of the io buffer to {@link #bytes} after {@code at}; the new length. */
    private int copy(int at, int n) {
        if (at + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, at + n));
        }
        io.view.get(0, bytes, at, n);
        return at + n;
    }

    /**
     * The field {@code name} of a small /proc file of "Name: value" lines: one read
     * (the kernel hands a small seq file over whole), the whole file only when the
     * first read did not hold the field.
     */
    String procField(String path, String name) throws IOException {
        return procField(host(path), name);
    }

    private String procField(CPath p, String name) throws IOException {
        int fd = TraceCalls.open(address("open", p), (int) (O_RDONLY | O_CLOEXEC), 0);
        if (fd < 0) {
            throw failure("open", p, Native.getLastError());
        }
        long n;
        try {
            n = TraceCalls.read(fd, io.address, io.size());
        } finally {
            TraceCalls.close(fd);
        }
        if (n < 0) {
            throw failure("read", p, Native.getLastError());
        }
        String v = field(new String(bytes, 0, copy(0, (int) n), StandardCharsets.UTF_8), name);
        return v != null || n < io.size() ? v : field(read(p), name);
    }

    /** The target of a (magic) link, as the kernel shows it. */
    String readlink(String path) throws IOException {
        return readlink(host(path));
    }

    private String readlink(CPath p) throws IOException {
        long n = TraceCalls.readlink(address("readlink", p), io.address, io.size());
        if (n < 0) {
            throw failure("readlink", p, Native.getLastError());
        }
        return new String(bytes, 0, copy(0, (int) n), StandardCharsets.UTF_8);
    }

    private static IOException failure(String call, CPath path, int errno) {
        return failure(call, path.toString(), errno);
    }

    private static IOException failure(String call, String path, int errno) {
        if (errno == Errno.ENOENT.number()) {
            return new NoSuchFileException(path);
        }
        return new IOException(call + " " + path + ": " + Errno.describe(errno));
    }

    /** The rest of the line that starts with {@code name}, trimmed; null when there is none. */
    private static String field(String text, String name) {
        int at = text.indexOf(name);
        while (at > 0 && text.charAt(at - 1) != '\n') {
            at = text.indexOf(name, at + 1);
        }
        if (at < 0) {
            return null;
        }
        at += name.length();
        int end = text.indexOf('\n', at);
        return text.substring(at, end < 0 ? text.length() : end).trim();
    }

    /**
     * Whether the [stack] mapping is executable: the maps are looked at as bytes,
     * never made text (an exec event reads them, and the text would cost more than
     * the read).
     */
    boolean executableStack(int pid) throws IOException {
        return Mapping.stackExecutable(bytes, readBytes(proc(pid, MAPS)));
    }

    Optional<Mapping> mappingAt(int pid, long address) throws IOException {
        return maps(pid).stream().filter(m -> m.contains(address)).findFirst();
    }

    /** The proportional set size (smaps_rollup Pss), in bytes. */
    long pss(int pid) throws IOException {
        return kb(procField(proc(pid, SMAPS_ROLLUP), "Pss:"));
    }

    /** The virtual size (status VmSize), in bytes. */
    long vmSize(int pid) throws IOException {
        return kb(procField(proc(pid, STATUS), "VmSize:"));
    }

    /** The effective uid (status Uid, second field). */
    long uid(int pid) throws IOException {
        String uid = procField(proc(pid, STATUS), "Uid:");
        if (uid == null) {
            throw new IOException("no Uid line in /proc/" + pid + "/status");
        }
        return Long.parseLong(uid.split("\\s+")[1]);
    }

    private static long kb(String v) {
        // a kernel thread or a zombie has no memory lines: nothing is mapped
        return v == null ? 0 : Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
    }

    static Path root(int pid) {
        return Path.of(rootPath(pid));
    }

    /** The host path of the process's root: "/proc/PID/root". */
    static String rootPath(int pid) {
        return "/proc/" + pid + "/root";
    }

    /** The process's cwd as a path in its root (what the kernel shows for it). */
    String cwd(int pid) throws IOException {
        return inRoot(pid, readlink(proc(pid, CWD)));
    }

    /** The program the process runs (/proc/PID/exe) as a path in its root. */
    String exe(int pid) throws IOException {
        return inRoot(pid, readlink(proc(pid, EXE)));
    }

    /** The process's pid in its own pid namespace (status NSpid, last field). */
    int namespacePid(int pid) throws IOException {
        String ns = procField(proc(pid, STATUS), "NSpid:");
        if (ns == null) {
            return pid;
        }
        String[] f = ns.split("\\s+");
        return Integer.parseInt(f[f.length - 1]);
    }

    /**
     * A path the kernel shows for one of the process's magic links, as its root names
     * it: the same text when the process has a root of its own (pivot_root in a mount
     * namespace), else with the host path of its root cut off.
     */
    String inRoot(int pid, String shown) throws IOException {
        String root = readlink(proc(pid, ROOT));
        if (root.equals("/") || !shown.startsWith(root) || shown.length() <= root.length()
                || shown.charAt(root.length()) != '/') {
            return shown;
        }
        return shown.substring(root.length());
    }

    /** The status flags of an open fd of the process (fdinfo "flags", octal). */
    int fdFlags(int pid, int fd) throws IOException {
        String flags = procField(proc(pid, FDINFO, fd), "flags:");
        if (flags == null) {
            throw new IOException("no flags line in /proc/" + pid + "/fdinfo/" + fd);
        }
        return Integer.parseInt(flags, 8);
    }

    /** The path an open fd of the process names, in its root. */
    String fdPath(int pid, int fd) throws IOException {
        return inRoot(pid, readlink(proc(pid, FD, fd)));
    }

    /**
     * {@code path} made absolute (against {@code base}) and free of symlinks, ".", ".."
     * and repeated slashes, resolving each link inside {@code root} (a host path): the
     * path the kernel will exec, as the container names it. Empty when a component
     * does not exist (exec will fail by itself).
     */
    Optional<String> canonical(String root, String base, String path, IntSupplierIO selfPid) throws IOException {
        walk.clear().add(root);
        return canonical(base, path, selfPid, 0);
    }

    /**
     * As {@link #canonical(String, String, String, IntSupplierIO)} in the root of
     * {@code pid}, whose /proc/self is its pid in its own namespace ({@link #namespacePid}).
     */
    Optional<String> canonical(int pid, String base, String path) throws IOException {
        procRoot(walk, pid);
        return canonical(base, path, null, pid);
    }

    /**
     * The walk itself, in its own path buffer (the root written there already): each
     * component is appended and lstat'ed, a link's target put before the rest of the
     * path. No collection and no string per component: this runs at every exec, and
     * its code is the package's own (the JIT compiles it early, see jvm.args).
     */
    private Optional<String> canonical(String base, String path, IntSupplierIO selfPid, int pid) throws IOException {
        CPath here = walk;
        int rootLength = here.length();
        // where each component of the walk starts (its slash), for ".." and links
        int[] starts = componentStarts;
        int depth = 0;
        int links = 0;
        String rest = path.startsWith("/") ? path : base + "/" + path;
        int at = 0;
        while (at < rest.length()) {
            int slash = rest.indexOf('/', at);
            int from = at;
            int end = slash < 0 ? rest.length() : slash;
            at = end + 1;
            int n = end - from;
            if (n == 0 || n == 1 && rest.charAt(from) == '.') {
                continue;
            }
            if (n == 2 && rest.charAt(from) == '.' && rest.charAt(from + 1) == '.') {
                if (depth > 0) {
                    here.truncate(starts[--depth]);
                }
                continue;
            }
            if (depth == starts.length) {
                starts = componentStarts = Arrays.copyOf(starts, 2 * depth);
            }
            boolean self = depth == 1 && here.endsWith(starts[0] + 1, PROC_NAME)
                    && (n == 4 && rest.startsWith("self", from) || n == 11 && rest.startsWith("thread-self", from));
            starts[depth++] = here.length();
            here.add('/');
            if (self) {
                // read by this process, these would name this process (or nothing, in another pid namespace)
                // (no lambda for the tracer's own calls: a capturing one is allocated at each exec)
                here.add(selfPid != null ? selfPid.get() : namespacePid(pid));
            } else {
                here.add(rest, from, end);
            }
            if (TraceCalls.fstatat((int) AT_FDCWD, address("lstat", here), statBuf.address,
                    (int) AT_SYMLINK_NOFOLLOW) == -1) {
                int errno = Native.getLastError();
                if (errno == Errno.ENOENT.number() || errno == Errno.ENOTDIR.number()) {
                    return Optional.empty();
                }
                throw failure("lstat", here, errno);
            }
            if ((statBuf.view.getInt(STAT_MODE) & 0170000) == 0120000) {
                if (++links > MAX_SYMLINKS) {
                    return Optional.empty();
                }
                String target = readlink(here);
                here.truncate(starts[--depth]);
                if (target.startsWith("/")) {
                    here.truncate(rootLength);
                    depth = 0;
                }
                // the link's components come before the rest of the path
                rest = at < rest.length() ? target + "/" + rest.substring(at) : target;
                at = 0;
            }
        }
        return Optional.of(depth == 0 ? "/" : here.text(rootLength));
    }

    /** A file's identity (device, inode), for "the same file" across two stops. */
    record FileId(long dev, long ino) {
        /** Whether {@code s} is this file (the fields compared: a record's own equals goes through method handles). */
        boolean same(Stat s) {
            return dev == s.dev() && ino == s.ino();
        }
    }

    /** What the checks need of a stat: type and permissions, owner, and the file's identity. */
    record Stat(int mode, long uid, long dev, long ino) {
        boolean regular() {
            return (mode & 0170000) == 0100000;
        }

        FileId key() {
            return new FileId(dev, ino);
        }
    }

    /** stat(2) of a host path (following links), read from a reused buffer. */
    Stat stat(String path) throws IOException {
        return stat(host(path));
    }

    /** stat(2) of /proc/PID/NAME (following the link). */
    Stat stat(int pid, byte[] name) throws IOException {
        return stat(proc(pid, name));
    }

    private Stat stat(CPath p) throws IOException {
        if (TraceCalls.fstatat((int) AT_FDCWD, address("stat", p), statBuf.address, 0) == -1) {
            throw failure("stat", p, Native.getLastError());
        }
        ByteBuffer v = statBuf.view;
        return new Stat(v.getInt(STAT_MODE), Integer.toUnsignedLong(v.getInt(STAT_UID)), v.getLong(STAT_DEV),
                v.getLong(STAT_INO));
    }

    /**
     * The exec image of the file at {@code file} (a host path: /proc/PID/exe, or
     * /proc/PID/fd/N): the first 64 KiB for the ELF header, every byte for the hash.
     *
     * @param dir the host path of the file's directory
     */
    ExecImage image(String file, String path, String dir, long trustedUid, long callerUid, boolean hash)
            throws IOException {
        Stat d = stat(host(dir));
        return image(host(file), path, d, trustedUid, callerUid, hash);
    }

    /**
     * The exec image of {@code path}, a canonical path in the root of {@code pid}
     * (its directory and the file named through /proc/PID/root, built in the path
     * buffer: no host path is made as text).
     */
    ExecImage imageInRoot(int pid, String path, long trustedUid, long callerUid, boolean hash) throws IOException {
        int slash = path.lastIndexOf('/');
        Stat d = stat(procRoot(this.path, pid).add(path, 0, Math.max(slash, 0)));
        return image(procRoot(this.path, pid).add(path), path, d, trustedUid, callerUid, hash);
    }

    /**
     * The exec image of the file open as {@code fd} in {@code pid} (a mapping's),
     * whose path in the process's root is {@code path} (as {@link #fdPath} shows it):
     * its directory looked up through /proc/PID/root, the file read through the fd's
     * magic link.
     */
    ExecImage imageOfFd(int pid, int fd, String path, long trustedUid, long callerUid, boolean hash)
            throws IOException {
        int slash = path.lastIndexOf('/');
        CPath dir;
        if (path.startsWith("/") && path.indexOf("//") < 0) {
            // the usual case, built in place: the root, then the path up to its last slash
            dir = procRoot(this.path, pid).add(path, 0, Math.max(slash, 0));
        } else {
            dir = host(HostPaths.under(rootPath(pid), slash <= 0 ? "" : path.substring(1, slash)));
        }
        Stat d = stat(dir);
        return image(proc(pid, FD, fd), path, d, trustedUid, callerUid, hash);
    }

    /** stat(2) of {@code path}, a canonical path in the root of {@code pid}. */
    Stat statInRoot(int pid, String path) throws IOException {
        return stat(procRoot(this.path, pid).add(path));
    }

    private ExecImage image(CPath f, String path, Stat d, long trustedUid, long callerUid, boolean hash)
            throws IOException {
        Optional<byte[]> digest = Optional.empty();
        int fd = TraceCalls.open(address("open", f), (int) (O_RDONLY | O_CLOEXEC), 0);
        if (fd < 0) {
            throw failure("open", f, Native.getLastError());
        }
        boolean execStack;
        try {
            // the header and the program headers sit at the start of the file
            int got = 0;
            for (long n; got < io.size() && (n = TraceCalls.read(fd, io.address + got, io.size() - got)) > 0; ) {
                got += (int) n;
            }
            execStack = ElfHeader.execStack(io.view, got);
            if (hash) {
                MessageDigest sha = sha256();
                sha.update(io.view.slice(0, got));
                for (long n; (n = TraceCalls.read(fd, io.address, io.size())) > 0; ) {
                    sha.update(io.view.slice(0, (int) n));
                }
                digest = Optional.of(sha.digest());
            }
        } finally {
            TraceCalls.close(fd);
        }
        return new ExecImage(path, d.uid(), d.mode(), trustedUid, callerUid, digest, execStack);
    }

    /** A reader of a number that may fail as I/O does. */
    @FunctionalInterface
    interface IntSupplierIO {
        int get() throws IOException;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }
}
