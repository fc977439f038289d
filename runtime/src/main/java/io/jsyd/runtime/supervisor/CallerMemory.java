package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One worker thread's reads of a caller's memory (process_vm_readv): a path,
 * openat2's struct open_how, a socket address, read once into a buffer of its
 * own, which the decision and the emulated call use from then on.
 */
final class CallerMemory {
    private static final int PATH_MAX = 4096;

    private final NotifyCalls calls;
    private final MemorySegment buf;
    private final ByteBuffer view;
    /** Bytes read from the caller, copied out of native memory in one call. */
    private final byte[] bytes = new byte[PATH_MAX + 1];

    CallerMemory(NotifyCalls calls, Arena arena) {
        this.calls = calls;
        buf = arena.allocate(PATH_MAX + 1, 8);
        view = NotifySupervisor.view(buf);
    }

    /** What the last read left. */
    MemorySegment buf() {
        return buf;
    }

    ByteBuffer view() {
        return view;
    }

    byte[] readPath(int pid, long address) throws UnreadableException {
        if (address == 0) {
            throw new UnreadableException(Errno.EFAULT.number());
        }
        // page by page: the string may end just before an unmapped page
        int got = 0;
        long at = address;
        while (got < PATH_MAX) {
            int chunk = (int) Math.min(PATH_MAX - got, 4096 - (at & 4095));
            int n = readSome(pid, at, got, chunk);
            if (n <= 0) {
                throw new UnreadableException(Errno.EFAULT.number());
            }
            // one copy out of native memory, then a scan in Java (getByte is a native call per byte)
            byte[] c = bytes;
            MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, got, c, got, n);
            for (int i = got; i < got + n; i++) {
                if (c[i] == 0) {
                    return java.util.Arrays.copyOf(c, i);
                }
            }
            got += n;
            at += n;
        }
        throw new UnreadableException(Errno.ENAMETOOLONG.number());
    }

    /** Reads openat2's struct open_how; a larger one from a newer libc must be zero beyond what we know. */
    void readHow(int pid, long address, long size) throws UnreadableException {
        int known = LinuxConstants.SIZEOF_OPEN_HOW;
        if (address == 0) {
            throw new UnreadableException(Errno.EFAULT.number());
        }
        if (size < known || size > 4096) {
            throw new UnreadableException(size < known ? Errno.EINVAL.number() : Errno.E2BIG.number());
        }
        read(pid, address, (int) size);
        for (int i = known; i < size; i++) {
            if (view.get(i) != 0) {
                throw new UnreadableException(Errno.E2BIG.number());
            }
        }
    }

    void read(int pid, long address, int length) throws UnreadableException {
        if (readSome(pid, address, 0, length) != length) {
            throw new UnreadableException(Errno.EFAULT.number());
        }
    }

    private int readSome(int pid, long address, int offset, int length) {
        return (int) calls.readFrom(pid, address, buf.address() + offset, length);
    }
}
