package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.policy.Action;
import io.jsyd.runtime.policy.Category;
import io.jsyd.runtime.policy.Decision;
import io.jsyd.runtime.policy.PolicyMatcher;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompConstants;
import io.jsyd.runtime.supervisor.SupervisedSyscalls.Entry;
import io.jsyd.runtime.supervisor.SupervisedSyscalls.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Answers the notifications of one container's supervisor filter, on the
 * threads of a {@link NotifyPool}. Each thread handles its notification end to
 * end (receive, read the arguments, decide, check the notification is still
 * valid, answer): handing work between threads costs more than the work.
 */
public final class NotifySupervisor implements Supervision {
    /** Pool sizes. */
    public record PoolSize(int core, int max, Duration keepAlive) {
        public PoolSize {
            if (core < 1 || max < core) {
                throw new IllegalArgumentException("need 1 <= core <= max, got " + core + ", " + max);
            }
        }

        /**
         * One core thread per CPU (at least two: a single caller then always
         * finds one waiting), room to grow for several callers at once and for
         * callers held up by slow answers ({@link NotifyPool} says why not more).
         */
        public static PoolSize forThisMachine() {
            int cpus = Runtime.getRuntime().availableProcessors();
            return new PoolSize(Math.max(cpus, 2), Math.max(cpus * 4, 8), Duration.ofSeconds(5));
        }
    }

    private static final int PATH_MAX = 4096;
    private static final int SOCKADDR_MAX = 128;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int O_ACCMODE = 3;
    private static final int SIZEOF_MSGHDR = CallerSocket.SIZEOF_MSGHDR;
    /** struct cmsghdr: cmsg_len (size_t), cmsg_level, cmsg_type (ints), then the data, 8-aligned. */
    private static final int CMSGHDR_SIZE = 16;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SIZEOF_MMSGHDR = CallerSocket.SIZEOF_MMSGHDR;
    private static final int AT_FDCWD = (int) LinuxConstants.AT_FDCWD;

    private final Fd listener;
    private final PolicyMatcher matcher;
    private final DecisionLog log;
    private final Runnable endContainer;
    private final Map<Integer, Entry> syscalls;
    private final NotifyPool pool;
    private volatile boolean syncWakeUp;
    /**
     * Whether allowed opens are made by the supervisor (ADDFD). Not with Landlock
     * on: the supervisor's own open is outside the container's Landlock domain, so
     * the open goes on in the caller (CONTINUE), where Landlock checks it.
     */
    private final boolean emulateOpens;
    /** The init whose open of the exec fifo passes once (create/start), or 0. */
    private final int fifoOpener;
    private final java.util.concurrent.atomic.AtomicBoolean fifoPassed = new java.util.concurrent.atomic.AtomicBoolean();

    private NotifySupervisor(Fd listener, PolicyMatcher matcher, DecisionLog log, Runnable endContainer,
            PoolSize size, String name, int fifoOpener) {
        this.fifoOpener = fifoOpener;
        this.listener = listener;
        this.matcher = matcher;
        this.log = log;
        this.endContainer = endContainer;
        this.syscalls = SupervisedSyscalls.byNumber(Libseccomp.get());
        this.emulateOpens = !matcher.policy().landlock().on();
        this.pool = new NotifyPool(listener, size, name, this::work);
    }

    /**
     * Starts answering on {@code listener}, which the supervisor owns from now on.
     *
     * @param endContainer what the {@code exit} action does: ends every process of the container
     */
    public static NotifySupervisor start(Fd listener, PolicyMatcher matcher, DecisionLog log, Runnable endContainer,
            PoolSize size, String name) {
        return start(listener, matcher, log, endContainer, size, name, 0);
    }

    /**
     * As {@link #start(Fd, PolicyMatcher, DecisionLog, Runnable, PoolSize, String)}
     * for a container made by `create`, whose init still has to wait for `start`
     * after the filter is loaded: the init stub opens the exec fifo
     * ({@code /proc/self/fd/N}, write-only), and that open blocks in the kernel until
     * `start`. The first such open of {@code initPid} passes unchecked (CONTINUE),
     * once: it is the runtime's own call, made before anything of the container's
     * ran (no other process and no other thread exists yet that could change the
     * path under it), and the supervisor could not open a magic link in the
     * container's place anyway.
     */
    public static NotifySupervisor start(Fd listener, PolicyMatcher matcher, DecisionLog log, Runnable endContainer,
            PoolSize size, String name, int initPid) {
        NotifySupervisor s = new NotifySupervisor(listener, matcher, log, endContainer, size, name, initPid);
        // the caller is woken on the CPU of the thread that answers it (Linux 6.6): without it a round trip
        // costs about three times as much; older kernels refuse the ioctl and work as before
        try (Arena arena = Arena.ofConfined()) {
            s.syncWakeUp = new NotifyCalls(arena).ioctl(listener.get(), SeccompConstants.SECCOMP_IOCTL_NOTIF_SET_FLAGS,
                    MemorySegment.ofAddress(SeccompConstants.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP)) == 0;
        }
        s.pool.start();
        return s;
    }

    /** Whether the kernel took SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP for the listener. */
    public boolean syncWakeUp() {
        return syncWakeUp;
    }

    /** Threads running now. */
    public int liveThreads() {
        return pool.liveThreads();
    }

    /** Notifications received so far. */
    public int handled() {
        return pool.handled();
    }

    /** Threads started so far (core and helpers). */
    public int threadsStarted() {
        return pool.threadsStarted();
    }

    /** Waits until no process uses the filter any more (the container is gone). */
    public boolean awaitHangup(Duration timeout) throws InterruptedException {
        return pool.awaitHangup(timeout);
    }

    private void work(NotifyPool.Worker w, Arena arena, NotifyCalls calls) {
        try {
            Scratch s = new Scratch(w, calls, arena.allocate(SeccompConstants.SIZEOF_SECCOMP_NOTIF, 8),
                    arena.allocate(SeccompConstants.SIZEOF_SECCOMP_NOTIF_RESP, 8), new CallerMemory(calls, arena),
                    new OpenCall(), emulateOpens ? opener() : null);
            try {
                loop(w, s);
            } finally {
                if (s.opener() != null) {
                    s.opener().close();
                }
                if (s.open().socket != null) {
                    s.open().socket.close();
                }
            }
        } catch (IllegalStateException e) {
            // the listener was closed under us: the supervisor is closing
        }
    }

    private void loop(NotifyPool.Worker w, Scratch s) {
        MemorySegment notif = s.notif();
        ByteBuffer n = s.notifView();
        int fd = listener.get();
        while (pool.running(w)) {
            // the kernel wants the struct zeroed
            for (int i = 0; i + 8 <= SeccompConstants.SIZEOF_SECCOMP_NOTIF; i += 8) {
                n.putLong(i, 0);
            }
            w.waiting = true;
            int got = s.calls().ioctl(fd, SeccompConstants.SECCOMP_IOCTL_NOTIF_RECV, notif);
            w.waiting = false;
            if (got != 0) {
                int errno = s.calls().errno();
                // EINTR: the watcher's interrupt (looked at by the loop's condition); ENOENT: the caller went
                // away before we took its notification
                if (errno == Errno.EINTR.number() || errno == Errno.ENOENT.number()) {
                    continue;
                }
                return;
            }
            pool.taken();
            try {
                handle(s);
            } catch (RuntimeException | Error e) {
                // never leave a caller blocked on a notification nobody answers: a notification taken is
                // received by no other thread, so an Error that ended this one would hold its caller forever
                long id = n.getLong(SeccompConstants.SECCOMP_NOTIF_ID);
                Entry entry = syscalls.get(n.getInt(SeccompConstants.SECCOMP_NOTIF_NR));
                log.failure(n.getInt(SeccompConstants.SECCOMP_NOTIF_PID),
                        entry == null ? "?" : entry.name(), Errno.EACCES.number(), e.toString());
                respond(s, id, -1, Errno.EACCES.number(), false);
                if (e instanceof Error error) {
                    throw error;
                }
            }
        }
    }

    /** This thread's means to open files for callers, or null (logged) when the kernel refuses it one. */
    private CallerOpen opener() {
        try {
            return new CallerOpen();
        } catch (IllegalStateException e) {
            log.failure(0, "-", Errno.EACCES.number(), "this worker refuses every open: " + e.getMessage());
            return null;
        }
    }

    /** One thread's calls and buffers, reused for every notification it handles. */
    private record Scratch(NotifyPool.Worker worker, NotifyCalls calls, MemorySegment notif, MemorySegment resp,
            CallerMemory memory, OpenCall open, CallerOpen opener, ByteBuffer notifView, ByteBuffer respView) {
        Scratch(NotifyPool.Worker worker, NotifyCalls calls, MemorySegment notif, MemorySegment resp,
                CallerMemory memory, OpenCall open, CallerOpen opener) {
            this(worker, calls, notif, resp, memory, open, opener, view(notif), view(resp));
        }
    }

    /**
     * A ByteBuffer over native memory, in the machine's byte order: the C1
     * compiler makes its get and put plain loads and stores.
     */
    static ByteBuffer view(MemorySegment m) {
        return m.asByteBuffer().order(java.nio.ByteOrder.nativeOrder());
    }

    /**
     * The open the current notification asks for, as read once from the caller's
     * memory (reused: one per worker). {@code pending} is false when the call is
     * no open to emulate.
     */
    private static final class OpenCall {
        /** The notification's arguments (here to be reused, not allocated per call). */
        final long[] args = new long[6];
        boolean pending;
        /** For a path call to emulate: the argument index of each name read, and its bytes. */
        final int[] stringArgs = new int[3];
        final byte[][] strings = new byte[3][];
        int stringCount;
        boolean emulateCall;
        long flags;
        long mode;
        long resolve;
        String where;
        byte[] relative;
        int dirfd;
        int fdNumber;
        /** The socket address read for connect, bind or sendto (null: none), and the length the caller gave. */
        byte[] address;
        long addressLength;
        /** This worker's means to read sendmsg's messages and to make socket calls (not with Landlock on). */
        CallerSocket socket;
        /** The messages of the current sendmsg or sendmmsg, as decided on, or null. */
        CallerSocket.Messages messages;
    }

    /** What one supervised call asked for: the category, the name as the container sees it, and the verdict. */
    private record Check(Decision decision, String target, String subject) {
    }

    private void handle(Scratch s) {
        java.nio.ByteBuffer n = s.notifView();
        long id = n.getLong(SeccompConstants.SECCOMP_NOTIF_ID);
        int pid = n.getInt(SeccompConstants.SECCOMP_NOTIF_PID);
        int nr = n.getInt(SeccompConstants.SECCOMP_NOTIF_NR);
        long[] args = s.open().args;
        for (int i = 0; i < 6; i++) {
            args[i] = n.getLong(SeccompConstants.SECCOMP_NOTIF_ARGS + 8 * i);
        }
        Entry e = syscalls.get(nr);
        if (e == null) {
            respond(s, id, 0, 0, true);
            return;
        }
        Check worst;
        s.open().pending = false;
        try {
            worst = decide(s, e, pid, args);
        } catch (UnreadableException x) {
            // what we could not read, the kernel must not read either after us: refuse
            if (valid(s, id)) {
                respond(s, id, -1, x.errno, false);
            }
            return;
        }
        if (!valid(s, id)) {
            // the caller is gone (or was interrupted); the memory we read may be another's now
            return;
        }
        if (worst == null) {
            allow(s, id, pid, e, nr);
            return;
        }
        Action action = worst.decision().action();
        if (action.logged()) {
            log.record(pid, e.name(), worst.decision(), worst.target(), worst.subject());
        }
        if (action.permits()) {
            allow(s, id, pid, e, nr);
            return;
        }
        switch (action) {
            case STOP -> NotifyCalls.kill(pid, (int) LinuxConstants.SIGSTOP);
            case KILL -> NotifyCalls.kill(pid, (int) LinuxConstants.SIGKILL);
            case EXIT -> endContainer.run();
            default -> {
            }
        }
        respond(s, id, -1, denyErrno(e, worst.decision().category()), false);
    }

    /**
     * Lets an allowed call happen: an open is made by the supervisor and its fd
     * installed in the caller, a path or stat call made by the supervisor and its
     * result given back (the kernel never reads the caller's memory again); other
     * calls go on in the caller (CONTINUE).
     */
    private void allow(Scratch s, long id, int pid, Entry e, int nr) {
        OpenCall o = s.open();
        CallerSocket.Kind socketCall = o.address != null && emulateOpens ? CallerSocket.Kind.of(e.name()) : null;
        if (socketCall != null || (o.messages != null && emulateOpens)) {
            callSocket(s, id, pid, nr, socketCall);
            return;
        }
        if (o.emulateCall) {
            if (s.opener() == null) {
                // no silent fallback to CONTINUE: that would reopen the race
                respond(s, id, -1, Errno.EACCES.number(), false);
                return;
            }
            long r = CallerStat.EMULATED.contains(e.name())
                    ? s.opener().stat().call(pid, id, listener.get(), e.name(), o.args, o.strings[0])
                    : s.opener().call(pid, e.name(), nr, o.args, o.stringArgs, o.strings, o.stringCount);
            respond(s, id, r < 0 ? -1 : r, r < 0 ? (int) -r : 0, false);
            return;
        }
        if (!o.pending || !emulateOpens) {
            respond(s, id, 0, 0, true);
            return;
        }
        if (s.opener() == null) {
            // no silent fallback to CONTINUE: that would reopen the race
            respond(s, id, -1, Errno.EACCES.number(), false);
            return;
        }
        int file = s.opener().open(pid, o.where, o.relative, o.dirfd, o.flags, o.mode, o.resolve, o.fdNumber);
        if (file < 0) {
            respond(s, id, -1, -file, false);
            return;
        }
        s.opener().install(id, listener.get(), file, o.flags);
    }

    /**
     * Makes an allowed connect, bind, sendto ({@code kind}), sendmsg or sendmmsg
     * (kind null) for the caller, with the addresses decided on ({@link CallerSocket}).
     */
    private void callSocket(Scratch s, long id, int pid, int nr, CallerSocket.Kind kind) {
        OpenCall o = s.open();
        pool.blocking(s.worker(), id, true);
        try {
            java.util.function.BooleanSupplier wanted = () -> valid(s, id) && pool.running(s.worker());
            long r = kind != null ? socket(s).call(pid, kind, nr, o.args, o.address, o.addressLength, s.opener(), wanted)
                    : socket(s).sendMessages(pid, nr, syscalls.get(nr).shape() instanceof Shape.Messages m && m.vector(),
                            o.args, s.opener(), wanted);
            pool.blocking(s.worker(), id, false);
            if (r != CallerSocket.ABANDONED) {
                respond(s, id, r < 0 ? -1 : r, r < 0 ? (int) -r : 0, false);
            }
        } finally {
            pool.blocking(s.worker(), id, false);
            o.socket.done();
        }
    }

    /** This worker's means for socket calls, made on first use: its buffers are no small part of a thread's. */
    private static CallerSocket socket(Scratch s) {
        if (s.open().socket == null) {
            s.open().socket = new CallerSocket();
        }
        return s.open().socket;
    }

    /** Syd's answers: a refused connection for connect and sendto, EACCES for the rest. */
    static int denyErrno(Entry e, Category c) {
        return c == Category.NET_CONNECT ? Errno.ECONNREFUSED.number() : Errno.EACCES.number();
    }

    /** The strictest decision among the names the call uses, or null when all are silently allowed. */
    /** Keeps a name read for the call, which the supervisor may make itself with these very bytes. */
    private static void remember(Scratch s, int arg, byte[] bytes) {
        OpenCall o = s.open();
        o.stringArgs[o.stringCount] = arg;
        o.strings[o.stringCount++] = bytes;
    }

    private Check decide(Scratch s, Entry e, int pid, long[] args) throws UnreadableException {
        OpenCall made = s.open();
        made.stringCount = 0;
        made.address = null;
        made.messages = null;
        made.emulateCall = emulateOpens
                && (CallerOpen.EMULATED.containsKey(e.name()) || CallerStat.EMULATED.contains(e.name()));
        if (made.emulateCall && (e.name().equals("symlink") || e.name().equals("symlinkat"))) {
            // the link's target is only text, never checked, but the call must not read it again either
            remember(s, 0, s.memory().readPath(pid, args[0]));
        }
        return switch (e.shape()) {
            case Shape.PathArg p -> checkPath(s, pid, args, p.dirfd(), p.path(), p.category(), null);
            case Shape.Pair p -> {
                Check a = checkPath(s, pid, args, p.first().dirfd(), p.first().path(), p.first().category(), null);
                Check b = checkPath(s, pid, args, p.second().dirfd(), p.second().path(), p.second().category(), null);
                yield stricter(a, b);
            }
            case Shape.Open o -> {
                OpenCall call = s.open();
                long flags;
                if (o.howStruct()) {
                    s.memory().readHow(pid, args[o.flags()], args[o.flags() + 1]);
                    flags = s.memory().view().getLong(LinuxConstants.OPEN_HOW_FLAGS);
                    call.mode = s.memory().view().getLong(LinuxConstants.OPEN_HOW_MODE);
                    call.resolve = s.memory().view().getLong(LinuxConstants.OPEN_HOW_RESOLVE);
                } else if (o.creat()) {
                    flags = LinuxConstants.O_CREAT | LinuxConstants.O_WRONLY | LinuxConstants.O_TRUNC;
                    call.mode = args[o.flags()];
                    call.resolve = 0;
                } else {
                    flags = args[o.flags()] & 0xffffffffL;
                    call.mode = args[o.flags() + 1];
                    call.resolve = 0;
                }
                byte[] path = s.memory().readPath(pid, args[o.path()]);
                if (isExecFifoOpen(pid, flags, path)) {
                    yield null;
                }
                if (path.length == 0) {
                    // open("") fails in the kernel too; answering keeps the kernel off the caller's memory
                    throw new UnreadableException(Errno.ENOENT.number());
                }
                int dirfd = o.dirfd() < 0 ? AT_FDCWD : (int) args[o.dirfd()];
                String where = ContainerPaths.containerPath(pid, dirfd, path);
                call.pending = true;
                call.flags = flags;
                call.where = where;
                call.dirfd = dirfd;
                call.relative = path[0] == '/' ? null : path;
                call.fdNumber = ContainerPaths.magicFd(where);
                if (call.fdNumber >= 0) {
                    call.relative = null;
                }
                Check worst = null;
                int acc = (int) (flags & O_ACCMODE);
                if (o.creat() || acc == LinuxConstants.O_WRONLY || acc == LinuxConstants.O_RDWR
                        || (flags & LinuxConstants.O_TRUNC) != 0) {
                    worst = stricter(worst, pathCheck(Category.WRITE, where));
                }
                if (!o.creat() && (acc == LinuxConstants.O_RDONLY || acc == LinuxConstants.O_RDWR)) {
                    worst = stricter(worst, pathCheck(Category.READ, where));
                }
                if (o.creat() || (flags & LinuxConstants.O_CREAT) != 0) {
                    worst = stricter(worst, pathCheck(Category.CREATE, where));
                }
                yield worst;
            }
            case Shape.Address a -> checkAddress(s, pid, args[a.pointer()], args[a.length()], a.category());
            case Shape.Messages m -> checkMessages(s, pid, (int) args[0], args[m.header()],
                    m.vector() ? args[m.header() + 1] : 1, m.vector() ? SIZEOF_MMSGHDR : SIZEOF_MSGHDR);
        };
    }

    private boolean isExecFifoOpen(int pid, long flags, byte[] path) {
        return fifoOpener != 0 && pid == fifoOpener && (flags & O_ACCMODE) == LinuxConstants.O_WRONLY
                && EXEC_FIFO_PATH.matcher(new String(path, StandardCharsets.ISO_8859_1)).matches()
                && fifoPassed.compareAndSet(false, true);
    }

    private static final java.util.regex.Pattern EXEC_FIFO_PATH = java.util.regex.Pattern.compile("/proc/self/fd/[0-9]+");

    private Check checkPath(Scratch s, int pid, long[] args, int dirfdArg, int pathArg, Category c, Object unused)
            throws UnreadableException {
        byte[] path = s.memory().readPath(pid, args[pathArg]);
        remember(s, pathArg, path);
        String where = ContainerPaths.containerPath(pid, dirfdArg < 0 ? AT_FDCWD : (int) args[dirfdArg], path);
        return where == null ? null : pathCheck(c, where);
    }

    private Check pathCheck(Category c, String where) {
        Decision d = matcher.decidePath(c, where.getBytes(StandardCharsets.ISO_8859_1));
        if (d.action() == Action.ALLOW) {
            return null;
        }
        return new Check(d, "path", new String(where.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    private Check checkAddress(Scratch s, int pid, long pointer, long length, Category c) throws UnreadableException {
        if (pointer == 0 || length < 2) {
            return null;
        }
        int len = (int) Math.min(length, SOCKADDR_MAX);
        s.memory().read(pid, pointer, len);
        byte[] sa = new byte[len];
        MemorySegment.copy(s.memory().buf(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, sa, 0, len);
        s.open().address = sa;
        s.open().addressLength = length;
        return checkSockaddr(pid, sa, len, c);
    }

    /** The decision on socket address {@code sa} ({@code len} bytes) in network category {@code c}. */
    private Check checkSockaddr(int pid, byte[] sa, int len, Category c) {
        int family = (sa[0] & 0xff) | (sa[1] & 0xff) << 8;
        Decision d;
        String subject;
        if (((family == AF_INET && len >= 8) || (family == AF_INET6 && len >= 24)) && c.takesAddresses()) {
            int port = (sa[2] & 0xff) << 8 | (sa[3] & 0xff);
            byte[] addr = family == AF_INET ? java.util.Arrays.copyOfRange(sa, 4, 8)
                    : java.util.Arrays.copyOfRange(sa, 8, 24);
            d = matcher.decideAddress(c, addr, port);
            subject = format(addr) + "!" + port;
        } else if (family == AF_UNIX && len > 2) {
            if (sa[2] == 0) {
                subject = "@" + new String(sa, 3, len - 3, StandardCharsets.ISO_8859_1);
            } else {
                int end = 2;
                while (end < len && sa[end] != 0) {
                    end++;
                }
                byte[] p = java.util.Arrays.copyOfRange(sa, 2, end);
                subject = ContainerPaths.containerPath(pid, AT_FDCWD, p);
                if (subject == null) {
                    return null;
                }
            }
            d = matcher.decideSocket(c, subject.getBytes(StandardCharsets.ISO_8859_1));
        } else {
            return null;
        }
        return d.action() == Action.ALLOW ? null : new Check(d, "addr", subject);
    }

    /**
     * The strictest decision over {@code count} messages (struct msghdr, each
     * {@code stride} bytes apart) at {@code address}, sent on the caller's
     * {@code socket}: in net/connect, each msg_name (a message without one goes
     * where its socket is connected, which connect was asked about); in
     * net/sendfd, for each message that passes fds (SCM_RIGHTS), the UNIX socket
     * it goes to: its msg_name, or else the socket's peer. As the kernel, at most
     * UIO_MAXIOV messages.
     */
    private Check checkMessages(Scratch s, int pid, int socket, long address, long count, int stride)
            throws UnreadableException {
        boolean connect = matcher.policy().isSandboxed(Category.NET_CONNECT);
        boolean sendfd = matcher.policy().isSandboxed(Category.NET_SENDFD);
        // read once: decided on and (when emulated) sent from these copies
        CallerSocket.Messages m = socket(s).readMessages(pid, address, count, stride);
        if (m == null) {
            throw new UnreadableException(Errno.EFAULT.number());
        }
        s.open().messages = m;
        Check worst = null;
        for (int i = 0; i < m.count; i++) {
            byte[] name = m.names[i];
            if (connect && name != null && name.length >= 2) {
                worst = stricter(worst, checkSockaddr(pid, name, name.length, Category.NET_CONNECT));
            }
            if (sendfd && passesFds(m.controls[i])) {
                worst = stricter(worst, name != null ? name.length < 2 ? null
                        : checkSockaddr(pid, name, name.length, Category.NET_SENDFD) : checkPeer(s, pid, socket));
            }
        }
        return worst;
    }

    /** Whether control data {@code b} holds an SCM_RIGHTS message. */
    private static boolean passesFds(byte[] b) {
        if (b == null) {
            return false;
        }
        ByteBuffer v = ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder());
        int len = b.length;
        for (int at = 0; at + CMSGHDR_SIZE <= len; ) {
            long cmsgLength = v.getLong(at);
            if (v.getInt(at + 8) == SOL_SOCKET && v.getInt(at + 12) == SCM_RIGHTS) {
                return true;
            }
            if (cmsgLength < CMSGHDR_SIZE) {
                return false;
            }
            at += (int) Math.min((cmsgLength + 7) & ~7L, len);
        }
        return false;
    }

    /** A peer no rule can name (none, or one the supervisor could not look at): net/sendfd's default. */
    private Check unnamedPeer(String subject) {
        Decision d = matcher.decideUnnamedSocket(Category.NET_SENDFD);
        return d.action() == Action.ALLOW ? null : new Check(d, "addr", subject);
    }

    /**
     * net/sendfd for fds sent on a connected socket without a destination: the
     * name of the socket's peer, read from the supervisor's own copy of it.
     */
    private Check checkPeer(Scratch s, int pid, int socket) {
        NotifyCalls calls = s.calls();
        // PIDFD_THREAD (O_EXCL): the notification names a thread, which need not lead its process
        int pidfd = (int) calls.syscall(LinuxConstants.SYS_pidfd_open, pid, LinuxConstants.O_EXCL, 0, 0, 0, 0);
        if (pidfd < 0) {
            return unnamedPeer("!unknown");
        }
        int copy = (int) calls.syscall(LinuxConstants.SYS_pidfd_getfd, pidfd, socket, 0, 0, 0, 0);
        NotifyCalls.close(pidfd);
        if (copy < 0) {
            return unnamedPeer("!unknown");
        }
        ByteBuffer b = s.memory().view();
        b.putInt(SOCKADDR_MAX, SOCKADDR_MAX);
        int r = calls.getpeername(copy, s.memory().buf(), s.memory().buf().asSlice(SOCKADDR_MAX));
        NotifyCalls.close(copy);
        int len = r == 0 ? Math.min(b.getInt(SOCKADDR_MAX), SOCKADDR_MAX) : 0;
        if (len <= 2 || (b.get(0) & 0xff | (b.get(1) & 0xff) << 8) != AF_UNIX) {
            return unnamedPeer("!unnamed");
        }
        byte[] sa = new byte[len];
        b.get(0, sa);
        return checkSockaddr(pid, sa, len, Category.NET_SENDFD);
    }

    private static String format(byte[] addr) {
        try {
            return java.net.InetAddress.getByAddress(addr).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Check stricter(Check a, Check b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.decision().action().ordinal() > a.decision().action().ordinal() ? b : a;
    }

    private boolean valid(Scratch s, long id) {
        s.respView().putLong(0, id);
        return s.calls().ioctl(listener.get(), SeccompConstants.SECCOMP_IOCTL_NOTIF_ID_VALID, s.resp()) == 0;
    }

    private void respond(Scratch s, long id, long value, int errno, boolean proceed) {
        ByteBuffer r = s.respView();
        // every field of struct seccomp_notif_resp is written: no clear needed
        r.putLong(SeccompConstants.SECCOMP_NOTIF_RESP_ID, id);
        r.putLong(SeccompConstants.SECCOMP_NOTIF_RESP_VAL, proceed ? 0 : value);
        r.putInt(SeccompConstants.SECCOMP_NOTIF_RESP_ERROR, proceed ? 0 : -errno);
        r.putInt(SeccompConstants.SECCOMP_NOTIF_RESP_FLAGS,
                proceed ? (int) SeccompConstants.SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0);
        // ENOENT when the caller died meanwhile: nothing left to answer
        s.calls().ioctl(listener.get(), SeccompConstants.SECCOMP_IOCTL_NOTIF_SEND, s.resp());
    }

    /** Stops the threads (those waiting in poll end within half a second) and closes the listener. */
    @Override
    public void close() {
        pool.close();
        listener.close();
    }
}
