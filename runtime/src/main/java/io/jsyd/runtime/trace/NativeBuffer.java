package io.jsyd.runtime.trace;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A block of native memory the tracer thread reuses for every stop, with a
 * ByteBuffer view made once: the loop reads results and writes arguments through
 * the view (plain Java, no JNI call per field as Memory's accessors make) and
 * hands libc the block's address (no JNA marshalling per call).
 */
final class NativeBuffer {
    private final Memory memory;
    /** The whole block, in the machine's byte order. */
    final ByteBuffer view;
    /** Its address, for {@link TraceCalls}. */
    final long address;

    NativeBuffer(int size) {
        memory = new Memory(size);
        view = memory.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        address = Pointer.nativeValue(memory);
    }

    int size() {
        return view.capacity();
    }
}
