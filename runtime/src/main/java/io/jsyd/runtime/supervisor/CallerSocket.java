package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * One worker thread's means to make an allowed connect, bind or sendto (with a
 * destination) in a caller's place, with the address the policy decided on: the
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
    private final ByteBuffer iovView = NotifySupervisor.view(iov);
    private final ByteBuffer optionView = NotifySupervisor.view(option);
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
        pidfd = (int) calls.syscall(LinuxConstants.SYS_pidfd_open, tid, PIDFD_THREAD, 0, 0, 0, 0);
        if (pidfd < 0) {
            return -Errno.ESRCH.number();
        }
        int socket = (int) calls.syscall(LinuxConstants.SYS_pidfd_getfd, pidfd, (int) args[0], 0, 0, 0, 0);
        if (socket < 0) {
            return -calls.errno();
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

    /** Reads up to {@code length} bytes at {@code from} in the caller; returns how many (fewer at a fault). */
    private long read(int tid, MemorySegment to, long from, long length) {
        iovView.putLong(0, to.address());
        iovView.putLong(8, length);
        iovView.putLong(16, from);
        iovView.putLong(24, length);
        long n = calls.processVmReadv(tid, iov, 1, iov.asSlice(16), 1, 0);
        return Math.max(n, 0);
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
