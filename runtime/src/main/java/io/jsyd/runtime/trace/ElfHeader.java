package io.jsyd.runtime.trace;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads what the exec checks need from an ELF file's program headers: whether
 * PT_GNU_STACK asks for an executable stack. Anything that is not ELF (a script)
 * asks for nothing.
 */
public final class ElfHeader {
    static final int PT_GNU_STACK = 0x6474e551;
    static final int PF_X = 1;

    private ElfHeader() {
    }

    /**
     * @param head the start of the file, enough to hold the program headers
     *             (the caller reads up to 64 KiB)
     */
    public static boolean execStack(byte[] head) {
        return execStack(head, head.length);
    }

    /** As {@link #execStack(byte[])}, for the first {@code length} bytes of {@code head}. */
    public static boolean execStack(byte[] head, int length) {
        return execStack(ByteBuffer.wrap(head, 0, Math.min(length, head.length)).slice());
    }

    /** As {@link #execStack(byte[])}, for the bytes of {@code head} (position 0 to its limit). */
    public static boolean execStack(ByteBuffer head) {
        return execStack(head, head.limit());
    }

    /**
     * As {@link #execStack(byte[])}, for the first {@code length} bytes of {@code head}
     * (from index 0), read in place: no view or slice is made (the tracer reads a
     * header at every exec).
     */
    public static boolean execStack(ByteBuffer head, int length) {
        length = Math.min(length, head.capacity());
        if (length < 52 || head.get(0) != 0x7f || head.get(1) != 'E' || head.get(2) != 'L' || head.get(3) != 'F') {
            return false;
        }
        boolean is64 = head.get(4) == 2;
        // the file's byte order against the buffer's: fields are swapped when they differ
        boolean swap = (head.get(5) == 2) != (head.order() == ByteOrder.BIG_ENDIAN);
        long phoff = is64 ? u64(head, 0x20, swap) : u32(head, 0x1c, swap);
        int phentsize = u16(head, is64 ? 0x36 : 0x2a, swap);
        int phnum = u16(head, is64 ? 0x38 : 0x2c, swap);
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            if (at < 0 || at + (is64 ? 8 : 28) > length) {
                break;
            }
            if ((int) u32(head, (int) at, swap) == PT_GNU_STACK) {
                return (u32(head, (int) at + (is64 ? 4 : 24), swap) & PF_X) != 0;
            }
        }
        return false;
    }

    private static long u64(ByteBuffer b, int at, boolean swap) {
        long v = b.getLong(at);
        return swap ? Long.reverseBytes(v) : v;
    }

    private static long u32(ByteBuffer b, int at, boolean swap) {
        int v = b.getInt(at);
        return (swap ? Integer.reverseBytes(v) : v) & 0xffffffffL;
    }

    private static int u16(ByteBuffer b, int at, boolean swap) {
        short v = b.getShort(at);
        return (swap ? Short.reverseBytes(v) : v) & 0xffff;
    }
}
