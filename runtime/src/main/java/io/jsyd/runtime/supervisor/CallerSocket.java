package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * One worker thread's means to make an allowed connect, bind, sendto (with a
 * destination), sendmsg or sendmmsg in a caller's place, with the addresses
 * (and control data) the policy decided on: the
 * worker takes the caller's socket with pidfd_getfd (the same open file, so the
 * effect is the caller's) and makes the call on it with its own copy of the
 * address; the kernel never reads the caller's sockaddr again, so rewriting it
 * after the check changes nothing.
 *
 * <p>The call runs in the caller's place ({@link CallerOpen#inCallerPlace}):
 * a UNIX socket's path is resolved in the caller's root and cwd, and bind
 * creates the socket file with the caller's fsuid, fsgid and umask. On a UNIX
 * socket the worker also takes the caller's real and effective uid and gid,
 * which the kernel hands to the peer (SO_PEERCRED, SCM_CREDENTIALS); the pid it
 * hands on is the supervisor's, which the container's pid namespace does not
 * show (the peer sees 0). On an IP socket only the capabilities matter (bind
 * to a low port). sendto's
 * data is read from the caller's memory (all of a datagram, up to
 * {@link #STREAM_CHUNK} bytes of a stream, which then reports a short send, as
 * the kernel may) and sent with the caller's flags and MSG_NOSIGNAL: a broken
 * pipe raises SIGPIPE in the caller, after the answer ({@link #done}), not in
 * the supervisor.
 *
 * <p>A call that blocks (a connect to a full backlog, a send to a full buffer;
 * O_NONBLOCK is the caller's open file's, MSG_DONTWAIT its flags') blocks the
 * worker as it would the caller, and the pool grows meanwhile. The pool's watcher
 * interrupts a worker so blocked once its notification is no longer valid (the
 * caller was interrupted or died: {@link NotifyPool#blocking}); the call then
 * fails with EINTR and is dropped. An EINTR while the caller still waits is
 * retried: a connect made again on a socket still connecting waits for the same
 * connection, as a restarted connect does.
 */
final class CallerSocket implements AutoCloseable {
    /** The call's result when there is nobody left to answer. */
    static final long ABANDONED = Long.MIN_VALUE;

    /** The calls made here, by the name of the supervised syscall. */
    enum Kind {
        CONNECT, BIND, SENDTO;

        static Kind of(String syscall) {
            return switch (syscall) {
                case "connect" -> CONNECT;
                case "bind" -> BIND;
                case "sendto" -> SENDTO;
                default -> null;
            };
        }
    }

    /** sizeof(struct sockaddr_storage): the kernel refuses longer addresses (EINVAL). */
    private static final int SOCKADDR_MAX = 128;
    /** At most this much of a stream send is taken per call. */
    static final int STREAM_CHUNK = 64 * 1024;
    /** A larger datagram is refused (EMSGSIZE): beyond any send buffer a socket has without SO_SNDBUFFORCE. */
    static final long DATAGRAM_MAX = 4L << 20;
    private static final int SO_TYPE = 3;
    private static final int AF_UNIX = (int) LinuxConstants.AF_UNIX;
    private static final int SIGPIPE = 13;
    /** pidfd_open's PIDFD_THREAD (Linux 6.9) is O_EXCL: a notification names a thread, not a process. */
    private static final long PIDFD_THREAD = LinuxConstants.O_EXCL;

    private final Arena arena = Arena.ofConfined();
    private final NotifyCalls calls = new NotifyCalls(arena);
    private final MemorySegment address = arena.allocate(SOCKADDR_MAX, 8);
    private final MemorySegment data = arena.allocate(STREAM_CHUNK, 8);
    private final MemorySegment iov = arena.allocate(32, 8);
    private final MemorySegment option = arena.allocate(8, 8);
    private final ByteBuffer optionView = NotifySupervisor.view(option);
    /** struct msghdr on LP64, and struct mmsghdr (a msghdr and the unsigned int msg_len, padded to 8). */
    static final int MSGHDR_NAME = 0;
    static final int MSGHDR_NAMELEN = 8;
    static final int MSGHDR_IOV = 16;
    static final int MSGHDR_IOVLEN = 24;
    static final int MSGHDR_CONTROL = 32;
    static final int MSGHDR_CONTROLLEN = 40;
    static final int SIZEOF_MSGHDR = 56;
    static final int SIZEOF_MMSGHDR = 64;
    static final int UIO_MAXIOV = 1024;
    /** Longer control data is refused (ENOBUFS), as the kernel does beyond its optmem limit. */
    static final int CONTROL_MAX = 64 * 1024;
    private static final int CMSGHDR_SIZE = 16;
    private static final int SCM_RIGHTS = (int) LinuxConstants.SCM_RIGHTS;
    private static final int SCM_CREDENTIALS = 2;

    /**
     * The messages of the current sendmsg or sendmmsg as read once from the
     * caller, before the decision: the policy decides on these copies of the
     * names and control data, and {@link #sendMessages} sends these very copies
     * (only the data is read later).
     */
    static final class Messages {
        int count;
        /** Per message: its msg_name's bytes (at most 128) or null, its control bytes or null, its iovecs. */
        final byte[][] names = new byte[UIO_MAXIOV][];
        final byte[][] controls = new byte[UIO_MAXIOV][];
        final long[] iov = new long[UIO_MAXIOV];
        final long[] iovLength = new long[UIO_MAXIOV];
    }

    private final Messages messages = new Messages();
    private final MemorySegment header = arena.allocate(SIZEOF_MMSGHDR, 8);
    private final ByteBuffer headerView = NotifySupervisor.view(header);
    private final MemorySegment one = arena.allocate(16, 8);
    private final MemorySegment vectors = arena.allocate(16L * UIO_MAXIOV, 8);
    private final ByteBuffer vectorsView = NotifySupervisor.view(vectors);
    private final MemorySegment control = arena.allocate(CONTROL_MAX, 8);
    private final ByteBuffer controlView = NotifySupervisor.view(control);
    private final int[] taken = new int[CONTROL_MAX / 4];
    private int takenCount;

    /** The caller's pidfd, until {@link #done}. */
    private int pidfd = -1;
    /** A send failed with EPIPE without MSG_NOSIGNAL: the caller is owed a SIGPIPE. */
    private boolean pipe;

    /**
     * Makes call {@code nr} of thread {@code tid} on its socket {@code args[0]}
     * with {@code sockaddr} (what the policy decided on; the call's address
     * length is {@code addressLength}, as the caller gave it). Returns the
     * result, a negative errno, or {@link #ABANDONED} when the call was
     * interrupted and {@code wanted} says nobody waits for it any more. Call
     * {@link #done} after answering, whatever this returned.
     *
     * @param place the worker's {@link CallerOpen}, or null when the kernel refused
     *     the worker one: the call is then refused (EACCES), never continued
     */
    long call(int tid, Kind kind, int nr, long[] args, byte[] sockaddr, long addressLength, CallerOpen place,
            BooleanSupplier wanted) {
        pipe = false;
        int length = (int) addressLength;
        if (length < 0 || length > SOCKADDR_MAX) {
            return -Errno.EINVAL.number();
        }
        if (place == null) {
            return -Errno.EACCES.number();
        }
        int socket = takeSocket(tid, (int) args[0]);
        if (socket < 0) {
            return socket;
        }
        try {
            MemorySegment.copy(sockaddr, 0, address, ValueLayout.JAVA_BYTE, 0, Math.min(length, sockaddr.length));
            boolean unix = sockaddr.length >= 2 && ((sockaddr[0] & 0xff) | (sockaddr[1] & 0xff) << 8) == AF_UNIX;
            if (kind != Kind.SENDTO) {
                return place.inCallerPlace(tid, true, unix,
                        () -> retried(wanted, () -> calls.syscall(nr, socket, address.address(), length, 0, 0, 0)));
            }
            return send(tid, nr, socket, args[1], args[2], (int) args[3], length, unix, place, wanted);
        } finally {
            NotifyCalls.close(socket);
        }
    }

    private long send(int tid, int nr, int socket, long buffer, long size, int flags, int length, boolean unix,
            CallerOpen place, BooleanSupplier wanted) {
        optionView.putInt(4, 4);
        if (calls.getsockopt(socket, (int) LinuxConstants.SOL_SOCKET, SO_TYPE, option, option.asSlice(4)) != 0) {
            return -calls.errno();
        }
        boolean stream = optionView.getInt(0) == (int) LinuxConstants.SOCK_STREAM;
        if (!stream && size > DATAGRAM_MAX) {
            return -Errno.EMSGSIZE.number();
        }
        long want = stream ? Math.min(size, STREAM_CHUNK) : size;
        try (Arena big = want > STREAM_CHUNK ? Arena.ofConfined() : null) {
            MemorySegment buf = big == null ? data : big.allocate(want, 8);
            long got = want == 0 ? 0 : read(tid, buf, buffer, want);
            if (got < want && !(stream && got > 0)) {
                return -Errno.EFAULT.number();
            }
            long result = place.inCallerPlace(tid, true, unix, () -> retried(wanted, () -> calls.syscall(nr, socket,
                    buf.address(), got, flags | (int) LinuxConstants.MSG_NOSIGNAL, address.address(), length)));
            pipe = result == -Errno.EPIPE.number() && (flags & (int) LinuxConstants.MSG_NOSIGNAL) == 0;
            return result;
        }
    }

    /**
     * Reads the {@code count} message headers ({@code stride} bytes apart) at
     * {@code address} in thread {@code tid}, with their names and control data
     * (at most UIO_MAXIOV, as the kernel). Returns them, or null when some part
     * cannot be read (the caller is answered EFAULT).
     */
    Messages readMessages(int tid, long address, long count, int stride) {
        Messages m = messages;
        m.count = (int) Math.min(count & 0xffffffffL, UIO_MAXIOV);
        for (int i = 0; i < m.count; i++) {
            if (read(tid, header, address + (long) i * stride, SIZEOF_MSGHDR) != SIZEOF_MSGHDR) {
                return null;
            }
            long name = headerView.getLong(MSGHDR_NAME);
            int nameLength = (int) Math.min(Integer.toUnsignedLong(headerView.getInt(MSGHDR_NAMELEN)), SOCKADDR_MAX);
            long controlAt = headerView.getLong(MSGHDR_CONTROL);
            long controlLength = headerView.getLong(MSGHDR_CONTROLLEN);
            m.iov[i] = headerView.getLong(MSGHDR_IOV);
            m.iovLength[i] = headerView.getLong(MSGHDR_IOVLEN);
            m.names[i] = name == 0 || nameLength == 0 ? null : copyOut(tid, name, nameLength);
            m.controls[i] = controlAt == 0 || controlLength == 0 ? null
                    : copyOut(tid, controlAt, (int) Math.min(controlLength, CONTROL_MAX + 1L));
            if ((m.names[i] == null && name != 0 && nameLength != 0)
                    || (m.controls[i] == null && controlAt != 0 && controlLength != 0)) {
                return null;
            }
        }
        return m;
    }

    /** {@code length} bytes at {@code from} in the caller, or null when they cannot all be read. */
    private byte[] copyOut(int tid, long from, int length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment to = a.allocate(length, 8);
            if (read(tid, to, from, length) != length) {
                return null;
            }
            return to.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /**
     * This worker's copy of the caller's socket {@code fd} (pidfd_getfd, through
     * a pidfd of the calling thread kept until {@link #done}), or a negative
     * errno.
     */
    private int takeSocket(int tid, int fd) {
        pidfd = (int) calls.syscall(LinuxConstants.SYS_pidfd_open, tid, PIDFD_THREAD, 0, 0, 0, 0);
        if (pidfd < 0) {
            return -Errno.ESRCH.number();
        }
        int socket = (int) calls.syscall(LinuxConstants.SYS_pidfd_getfd, pidfd, fd, 0, 0, 0, 0);
        return socket < 0 ? -calls.errno() : socket;
    }

    /**
     * Sends the messages {@link #readMessages} read (the decision's copies) on
     * socket {@code args[0]} of thread {@code tid}, as sendmsg ({@code vector}
     * false) or sendmmsg: each with its data read from the caller now, its
     * SCM_RIGHTS fds replaced by the supervisor's copies of the caller's (taken
     * with pidfd_getfd), in the caller's place. For sendmmsg each message's
     * msg_len is written back into the caller's vector and the count sent is the
     * result (the first failure ends it, as in the kernel). {@link #done} after
     * answering.
     */
    long sendMessages(int tid, int nr, boolean vector, long[] args, CallerOpen place, BooleanSupplier wanted) {
        pipe = false;
        if (place == null) {
            return -Errno.EACCES.number();
        }
        int socket = takeSocket(tid, (int) args[0]);
        if (socket < 0) {
            return socket;
        }
        int flags = (int) (vector ? args[3] : args[2]);
        try {
            optionView.putInt(4, 4);
            if (calls.getsockopt(socket, (int) LinuxConstants.SOL_SOCKET, SO_TYPE, option, option.asSlice(4)) != 0) {
                return -calls.errno();
            }
            boolean stream = optionView.getInt(0) == (int) LinuxConstants.SOCK_STREAM;
            optionView.putInt(4, SOCKADDR_MAX);
            boolean unix = calls.syscall(LinuxConstants.SYS_getsockname, socket, address.address(),
                    option.address() + 4, 0, 0, 0) == 0 && address.get(ValueLayout.JAVA_SHORT, 0) == AF_UNIX;
            Messages m = messages;
            int sent = 0;
            for (; sent < m.count; sent++) {
                long r = sendOne(tid, nr, vector, socket, sent, flags, stream, unix, place, wanted);
                if (r == ABANDONED) {
                    return r;
                }
                if (r < 0) {
                    if (r == -Errno.EPIPE.number() && (flags & (int) LinuxConstants.MSG_NOSIGNAL) == 0) {
                        pipe = true;
                    }
                    return sent == 0 ? r : sent;
                }
                if (!vector) {
                    return r;
                }
                // msg_len, the bytes sent, into the caller's vector
                optionView.putInt(0, (int) r);
                long at = args[1] + (long) sent * SIZEOF_MMSGHDR + SIZEOF_MSGHDR;
                if (write(tid, option, at, 4) != 4) {
                    return sent == 0 ? -Errno.EFAULT.number() : sent;
                }
            }
            return sent;
        } finally {
            NotifyCalls.close(socket);
        }
    }

    /** Sends message {@code i}: the bytes sent or a negative errno (or ABANDONED). */
    private long sendOne(int tid, int nr, boolean vector, int socket, int i, int flags, boolean stream,
            boolean unix, CallerOpen place, BooleanSupplier wanted) {
        Messages m = messages;
        headerView.putLong(MSGHDR_NAME, 0);
        headerView.putInt(MSGHDR_NAMELEN, 0);
        if (m.names[i] != null) {
            MemorySegment.copy(m.names[i], 0, address, ValueLayout.JAVA_BYTE, 0, m.names[i].length);
            headerView.putLong(MSGHDR_NAME, address.address());
            headerView.putInt(MSGHDR_NAMELEN, m.names[i].length);
        }
        if (m.iovLength[i] > UIO_MAXIOV) {
            return -Errno.EMSGSIZE.number();
        }
        int vectorCount = (int) m.iovLength[i];
        if (vectorCount > 0 && read(tid, vectors, m.iov[i], 16L * vectorCount) != 16L * vectorCount) {
            return -Errno.EFAULT.number();
        }
        long total = 0;
        for (int k = 0; k < vectorCount; k++) {
            long len = vectorsView.getLong(16 * k + 8);
            if (len < 0 || total + len < 0) {
                return -Errno.EINVAL.number();
            }
            total += len;
        }
        if (!stream && total > DATAGRAM_MAX) {
            return -Errno.EMSGSIZE.number();
        }
        long want = stream ? Math.min(total, STREAM_CHUNK) : total;
        byte[] controlBytes = m.controls[i];
        if (controlBytes != null && controlBytes.length > CONTROL_MAX) {
            return -Errno.ENOBUFS.number();
        }
        takenCount = 0;
        try (Arena big = want > STREAM_CHUNK ? Arena.ofConfined() : null) {
            MemorySegment buf = big == null ? data : big.allocate(want, 8);
            long got = gather(tid, buf, vectorCount, want);
            if (got < want && !(stream && got > 0)) {
                return -Errno.EFAULT.number();
            }
            iovView(one, buf.address(), got);
            headerView.putLong(MSGHDR_IOV, one.address());
            headerView.putLong(MSGHDR_IOVLEN, 1);
            headerView.putLong(MSGHDR_CONTROL, 0);
            headerView.putLong(MSGHDR_CONTROLLEN, 0);
            headerView.putInt(48, 0);
            headerView.putInt(SIZEOF_MSGHDR, 0);
            return place.inCallerPlace(tid, true, unix, () -> {
                if (controlBytes != null) {
                    long bad = translateControl(controlBytes, place);
                    if (bad < 0) {
                        return bad;
                    }
                    headerView.putLong(MSGHDR_CONTROL, control.address());
                    headerView.putLong(MSGHDR_CONTROLLEN, controlBytes.length);
                }
                long r = retried(wanted, () -> vector
                        ? calls.syscall(nr, socket, header.address(), 1, flags | (int) LinuxConstants.MSG_NOSIGNAL, 0, 0)
                        : calls.syscall(nr, socket, header.address(), flags | (int) LinuxConstants.MSG_NOSIGNAL, 0, 0,
                                0));
                return vector && r == 1 ? Integer.toUnsignedLong(headerView.getInt(SIZEOF_MSGHDR)) : r;
            });
        } finally {
            for (int k = 0; k < takenCount; k++) {
                NotifyCalls.close(taken[k]);
            }
            takenCount = 0;
        }
    }

    private static void iovView(MemorySegment iov, long base, long length) {
        iov.set(ValueLayout.JAVA_LONG, 0, base);
        iov.set(ValueLayout.JAVA_LONG, 8, length);
    }

    /** Reads the caller's iovecs (in {@link #vectors}) into {@code to}, at most {@code want} bytes in all. */
    private long gather(int tid, MemorySegment to, int vectorCount, long want) {
        long left = want;
        int used = 0;
        for (; used < vectorCount && left > 0; used++) {
            long len = vectorsView.getLong(16 * used + 8);
            if (len > left) {
                vectorsView.putLong(16 * used + 8, left);
                len = left;
            }
            left -= len;
        }
        if (want == 0) {
            return 0;
        }
        iovView(iov, to.address(), want);
        long n = calls.processVmReadv(tid, iov, 1, vectors, used, 0);
        return Math.max(n, 0);
    }

    /**
     * Copies the control data into native memory with each SCM_RIGHTS fd of the
     * caller replaced by this process's copy of it. SCM_CREDENTIALS: what the
     * caller may claim ({@link CallerOpen#mayClaim}) goes with the supervisor's
     * pid in place of the caller's (the kernel checks the pid against the
     * sender's), anything else is refused (EPERM). Returns 0 or a negative errno.
     */
    private long translateControl(byte[] bytes, CallerOpen place) {
        MemorySegment.copy(bytes, 0, control, ValueLayout.JAVA_BYTE, 0, bytes.length);
        int len = bytes.length;
        for (int at = 0; at + CMSGHDR_SIZE <= len; ) {
            long cmsgLength = controlView.getLong(at);
            if (cmsgLength < CMSGHDR_SIZE || cmsgLength > len - at) {
                return 0;
            }
            int level = controlView.getInt(at + 8);
            int type = controlView.getInt(at + 12);
            if (level == (int) LinuxConstants.SOL_SOCKET && type == SCM_RIGHTS) {
                for (int k = at + CMSGHDR_SIZE; k + 4 <= at + cmsgLength; k += 4) {
                    int copy = (int) calls.syscall(LinuxConstants.SYS_pidfd_getfd, pidfd, controlView.getInt(k), 0, 0,
                            0, 0);
                    if (copy < 0) {
                        return -Errno.EBADF.number();
                    }
                    taken[takenCount++] = copy;
                    controlView.putInt(k, copy);
                }
            } else if (level == (int) LinuxConstants.SOL_SOCKET && type == SCM_CREDENTIALS
                    && cmsgLength >= CMSGHDR_SIZE + 12) {
                int p = at + CMSGHDR_SIZE;
                if (!place.mayClaim(controlView.getInt(p), controlView.getInt(p + 4), controlView.getInt(p + 8))) {
                    return -Errno.EPERM.number();
                }
                controlView.putInt(p, (int) ProcessHandle.current().pid());
            }
            at += (int) ((cmsgLength + 7) & ~7L);
        }
        return 0;
    }

    /** Writes {@code length} bytes of {@code from} to {@code to} in the caller; returns how many. */
    private long write(int tid, MemorySegment from, long to, long length) {
        return Math.max(calls.writeTo(tid, from.address(), to, length), 0);
    }

    /** Reads up to {@code length} bytes at {@code from} in the caller; returns how many (fewer at a fault). */
    private long read(int tid, MemorySegment to, long from, long length) {
        return Math.max(calls.readFrom(tid, from, to.address(), length), 0);
    }

    /** The call's result or negative errno; an EINTR is retried while {@code wanted}, else ABANDONED. */
    private long retried(BooleanSupplier wanted, java.util.function.LongSupplier call) {
        while (true) {
            long r = call.getAsLong();
            if (r >= 0) {
                return r;
            }
            int errno = calls.errno();
            if (errno != Errno.EINTR.number()) {
                return -errno;
            }
            if (!wanted.getAsBoolean()) {
                return ABANDONED;
            }
        }
    }

    /** After the answer: raises the SIGPIPE owed to the caller, if any, and lets go of its pidfd. */
    void done() {
        if (pidfd < 0) {
            return;
        }
        if (pipe) {
            // thread-directed, as the kernel raises it for a send (a PIDFD_THREAD pidfd signals the thread)
            calls.syscall(LinuxConstants.SYS_pidfd_send_signal, pidfd, SIGPIPE, 0, 0, 0, 0);
            pipe = false;
        }
        NotifyCalls.close(pidfd);
        pidfd = -1;
    }

    @Override
    public void close() {
        done();
        arena.close();
    }
}
