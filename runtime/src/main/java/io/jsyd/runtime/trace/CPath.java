package io.jsyd.runtime.trace;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A NUL-terminated path built piece by piece in a reused buffer (the tracer's
 * "/proc/PID/fd/N" and the like): no String is made for a path that is only
 * handed to a syscall. A path that does not fit is reported as the kernel would
 * report it (ENAMETOOLONG): the buffer holds more than PATH_MAX.
 */
final class CPath {
    /** Where a terminated path goes (from index 0): the native buffer's view. */
    private final ByteBuffer target;
    /** The path as it is built: array stores, copied to the target in one go when terminated. */
    private final byte[] bytes;
    private int length;
    private boolean overflow;

    /** The native address of the target (0: a heap buffer, for tests). */
    private final long address;

    /** @param target where the path is written, from index 0 (its capacity bounds the path) */
    CPath(ByteBuffer target) {
        this(target, 0);
    }

    /** A path written into {@code buffer}, whose address a syscall then gets. */
    CPath(NativeBuffer buffer) {
        this(buffer.view, buffer.address);
    }

    private CPath(ByteBuffer target, long address) {
        this.target = target;
        this.bytes = new byte[target.capacity()];
        this.address = address;
    }

    /** Where the terminated path is, for a syscall. */
    long address() {
        return address;
    }

    CPath clear() {
        length = 0;
        overflow = false;
        return this;
    }

    /** Appends {@code s} as UTF-8 (ASCII byte by byte, without an encoder). */
    CPath add(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return add(s.substring(i).getBytes(StandardCharsets.UTF_8), 0, -1);
            }
            put((byte) c);
        }
        return this;
    }

    /** Appends {@code s[from..to)} (UTF-8, as {@link #add(String)}). */
    CPath add(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return add(s.substring(i, to).getBytes(StandardCharsets.UTF_8), 0, -1);
            }
            put((byte) c);
        }
        return this;
    }

    /** Appends one ASCII character. */
    CPath add(char c) {
        put((byte) c);
        return this;
    }

    /** Cuts the path back to its first {@code length} bytes (a length it had before). */
    CPath truncate(int length) {
        if (length < this.length) {
            this.length = length;
            overflow = false;
        }
        return this;
    }

    /** Whether the bytes from {@code at} to the end are {@code ascii}. */
    boolean endsWith(int at, byte[] ascii) {
        if (length - at != ascii.length) {
            return false;
        }
        for (int i = 0; i < ascii.length; i++) {
            if (bytes[at + i] != ascii[i]) {
                return false;
            }
        }
        return true;
    }

    /** The path from byte {@code from} on, as text. */
    String text(int from) {
        return new String(bytes, from, length - from, StandardCharsets.UTF_8);
    }

    /** Appends the decimal digits of {@code n} (int arithmetic: pids and fds). */
    CPath add(int n) {
        if (n < 0) {
            return add((long) n);
        }
        int div = 1;
        while (n / div >= 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            put((byte) ('0' + n / div % 10));
        }
        return this;
    }

    /** Appends the decimal digits of {@code n}. */
    CPath add(long n) {
        if (n < 0) {
            put((byte) '-');
            if (n == Long.MIN_VALUE) {
                return add(Long.toString(n).substring(1));
            }
            n = -n;
        }
        long div = 1;
        while (n / div >= 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            put((byte) ('0' + n / div % 10));
        }
        return this;
    }

    /** Appends all of {@code src}. */
    CPath add(byte[] src) {
        if (length + src.length < bytes.length) {
            System.arraycopy(src, 0, bytes, length, src.length);
            length += src.length;
            return this;
        }
        return add(src, 0, -1);
    }

    /** Appends {@code src[from..to)} ({@code to} -1: to its end). */
    CPath add(byte[] src, int from, int to) {
        for (int i = from, end = to < 0 ? src.length : to; i < end; i++) {
            put(src[i]);
        }
        return this;
    }

    private void put(byte b) {
        // one byte stays free for the NUL
        if (length < bytes.length - 1) {
            bytes[length++] = b;
        } else {
            overflow = true;
        }
    }

    /** Whether everything appended fitted (else the path is too long for any syscall). */
    boolean fits() {
        return !overflow;
    }

    /** Ends the path with its NUL; the buffer then holds it from index 0. */
    CPath terminate() {
        bytes[length] = 0;
        target.put(0, bytes, 0, length + 1);
        return this;
    }

    int length() {
        return length;
    }

    /** The path as text, for messages (a NUL is never part of it). */
    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8) + (overflow ? "..." : "");
    }
}
