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
        int length = head.limit();
        if (length < 52 || head.get(0) != 0x7f || head.get(1) != 'E' || head.get(2) != 'L' || head.get(3) != 'F') {
            return false;
        }
        boolean is64 = head.get(4) == 2;
        ByteBuffer b = head.duplicate().order(head.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long phoff = is64 ? b.getLong(0x20) : b.getInt(0x1c) & 0xffffffffL;
        int phentsize = b.getShort(is64 ? 0x36 : 0x2a) & 0xffff;
        int phnum = b.getShort(is64 ? 0x38 : 0x2c) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            if (at < 0 || at + (is64 ? 8 : 28) > length) {
                break;
            }
            if (b.getInt((int) at) == PT_GNU_STACK) {
                return (b.getInt((int) at + (is64 ? 4 : 24)) & PF_X) != 0;
            }
        }
        return false;
    }
}
