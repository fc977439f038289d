package io.jsyd.runtime.supervisor;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls the supervisor makes per notification, as downcalls of the
 * JDK's foreign function API rather than JNA: a supervised open costs some
 * twenty of them, and under the launcher's C1-only JIT a downcall here costs
 * about half of JNA's direct mapping (no JNI transition through
 * libjnidispatch, no peer field read from a Pointer); together that was a tenth
 * of the single-caller throughput of bench/notify.
 *
 * <p>One instance per thread: it owns the segment where the calls that report
 * errors leave errno ({@link #errno()}, valid after a call that failed).
 * size_t, ssize_t and unsigned long are Java longs (LP64 only). Calls into
 * variadic functions (ioctl, open, openat, fcntl, syscall) say where the
 * variable arguments start, as the C ABI wants.
 */
final class NotifyCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC =
            SymbolLookup.libraryLookup(io.jsyd.runtime.linux.CLibrary.SONAME, Arena.global());
    private static final StructLayout CAPTURED = Linker.Option.captureStateLayout();
    private static final long ERRNO_AT = CAPTURED.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle IOCTL = withErrno("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    private static final MethodHandle POLL = withErrno("poll", -1, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle PROCESS_VM_READV = withErrno("process_vm_readv", -1, JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PROCESS_VM_WRITEV = withErrno("process_vm_writev", -1, JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle OPEN = withErrno("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle OPENAT = withErrno("openat", 3, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final MethodHandle READ = withErrno("read", -1, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle FSTAT = withErrno("fstat", -1, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle STAT = withErrno("stat", -1, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle FCNTL = withErrno("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle FCHDIR = withErrno("fchdir", -1, JAVA_INT, JAVA_INT);
    private static final MethodHandle CHROOT = withErrno("chroot", -1, JAVA_INT, ADDRESS);
    private static final MethodHandle UNSHARE = withErrno("unshare", -1, JAVA_INT, JAVA_INT);
    private static final MethodHandle GETGROUPS = withErrno("getgroups", -1, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle GETPEERNAME = withErrno("getpeername", -1, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETSOCKOPT = withErrno("getsockopt", -1, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS, ADDRESS);
    private static final MethodHandle SIGACTION = withErrno("sigaction", -1, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SYSCALL = withErrno("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    // calls that cannot fail, or whose failure nobody looks at
    private static final MethodHandle CLOSE = plain("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle KILL = plain("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle UMASK = plain("umask", JAVA_INT, JAVA_INT);
    private static final MethodHandle SETFSUID = plain("setfsuid", JAVA_INT, JAVA_INT);
    private static final MethodHandle SETFSGID = plain("setfsgid", JAVA_INT, JAVA_INT);
    private static final MethodHandle GETEUID = plain("geteuid", JAVA_INT);
    private static final MethodHandle GETEGID = plain("getegid", JAVA_INT);
    private static final MethodHandle GETUID = plain("getuid", JAVA_INT);
    private static final MethodHandle GETGID = plain("getgid", JAVA_INT);

    private final MemorySegment state;
    /** The two struct iovec of a {@link #readFrom} or {@link #writeTo}: this process's buffer, the caller's. */
    private final MemorySegment iov;
    private final java.nio.ByteBuffer iovView;
    private final MemorySegment remoteIov;

    /** @param arena where this thread's errno and iovecs are kept (as long as the thread makes calls) */
    NotifyCalls(Arena arena) {
        state = arena.allocate(CAPTURED);
        iov = arena.allocate(32, 8);
        iovView = NotifySupervisor.view(iov);
        remoteIov = iov.asSlice(16);
    }

    /**
     * Copies {@code length} bytes at {@code remote} in process (or thread)
     * {@code tid} to {@code local} here; returns how many (fewer at a fault), or -1.
     */
    long readFrom(int tid, long remote, long local, long length) {
        transfer(local, remote, length);
        return processVmReadv(tid, iov, 1, remoteIov, 1, 0);
    }

    /** As {@link #readFrom}, the other way: {@code local} here to {@code remote} in {@code tid}. */
    long writeTo(int tid, long local, long remote, long length) {
        transfer(local, remote, length);
        return processVmWritev(tid, iov, 1, remoteIov, 1, 0);
    }

    private void transfer(long local, long remote, long length) {
        iovView.putLong(0, local);
        iovView.putLong(8, length);
        iovView.putLong(16, remote);
        iovView.putLong(24, length);
    }

    /** The errno the last failed call through this instance left. */
    int errno() {
        return state.get(JAVA_INT, ERRNO_AT);
    }

    /** libc's {@code name}, a function of no consequence to call from a signal handler, as a pointer. */
    static MemorySegment function(String name) {
        return LIBC.find(name).orElseThrow(() -> new IllegalStateException(name + " is not in the C library"));
    }

    private static MethodHandle withErrno(String name, int firstVariadic, java.lang.foreign.MemoryLayout result,
            java.lang.foreign.MemoryLayout... args) {
        FunctionDescriptor d = FunctionDescriptor.of(result, args);
        return firstVariadic < 0 ? LINKER.downcallHandle(function(name), d, ERRNO)
                : LINKER.downcallHandle(function(name), d, ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static MethodHandle plain(String name, java.lang.foreign.MemoryLayout result,
            java.lang.foreign.MemoryLayout... args) {
        return LINKER.downcallHandle(function(name), FunctionDescriptor.of(result, args));
    }

    /** A downcall throws nothing checked; anything else it throws is a bug of ours and stays unchecked. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    int ioctl(int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code fds}: struct pollfd[] (int fd, short events, short revents). */
    int poll(MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Both iovec arrays as struct iovec[] (pointer, length). */
    long processVmReadv(int pid, MemorySegment local, long liovcnt, MemorySegment remote, long riovcnt, long flags) {
        try {
            return (long) PROCESS_VM_READV.invokeExact(state, pid, local, liovcnt, remote, riovcnt, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** As {@link #processVmReadv}, the other way: writes an emulated call's result into the caller. */
    long processVmWritev(int pid, MemorySegment local, long liovcnt, MemorySegment remote, long riovcnt, long flags) {
        try {
            return (long) PROCESS_VM_WRITEV.invokeExact(state, pid, local, liovcnt, remote, riovcnt, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int open(MemorySegment path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(state, path, flags, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int openat(int dirfd, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPENAT.invokeExact(state, dirfd, path, flags, mode);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long read(int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int fstat(int fd, MemorySegment stat) {
        try {
            return (int) FSTAT.invokeExact(state, fd, stat);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int stat(MemorySegment path, MemorySegment stat) {
        try {
            return (int) STAT.invokeExact(state, path, stat);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int fcntl(int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int fchdir(int fd) {
        try {
            return (int) FCHDIR.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int chroot(MemorySegment path) {
        try {
            return (int) CHROOT.invokeExact(state, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int unshare(int flags) {
        try {
            return (int) UNSHARE.invokeExact(state, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int getgroups(int size, MemorySegment list) {
        try {
            return (int) GETGROUPS.invokeExact(state, size, list);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code length}: a socklen_t, in with the room at {@code address}, out with the name's length. */
    int getpeername(int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETPEERNAME.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code length}: a socklen_t, in with the room at {@code value}, out with the option's length. */
    int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        try {
            return (int) GETSOCKOPT.invokeExact(state, fd, level, name, value, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** glibc's struct sigaction; the handler is its first field. */
    int sigaction(int signal, MemorySegment action, MemorySegment old) {
        try {
            return (int) SIGACTION.invokeExact(state, signal, action, old);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** syscall(2) with six integer arguments (x86-64 and aarch64 pass them as in a plain call). */
    long syscall(long number, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int kill(int pid, int signal) {
        try {
            return (int) KILL.invokeExact(pid, signal);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // the credentials of the calling thread alone (glibc's wrappers; setgroups is not one: it goes through syscall)

    static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setfsuid(int uid) {
        try {
            return (int) SETFSUID.invokeExact(uid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setfsgid(int gid) {
        try {
            return (int) SETFSGID.invokeExact(gid);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getegid() {
        try {
            return (int) GETEGID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getgid() {
        try {
            return (int) GETGID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
