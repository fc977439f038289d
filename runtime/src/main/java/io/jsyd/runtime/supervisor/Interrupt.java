package io.jsyd.runtime.supervisor;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.jsyd.runtime.linux.LinuxConstants;

/**
 * Wakes a worker blocked in NOTIF_RECV: SIGURG to its thread, whose handler does
 * nothing. A signal that is ignored (SIGURG's default) would not end a blocking
 * call, a handled one without SA_RESTART does (EINTR). The handler is libc's
 * {@code abs}: a function of one int that touches nothing, so no Java runs in a
 * signal context. The JVM itself does not use SIGURG. Installing it again is
 * harmless, so every supervisor installs it when it starts.
 */
final class Interrupt {
    private static final int SIGURG = (int) LinuxConstants.SIGURG;

    private Interrupt() {
    }

    static void install() {
        Pointer handler = NativeLibrary.getInstance(io.jsyd.runtime.linux.CLibrary.SONAME).getFunction("abs");
        try (Memory action = new Memory(LinuxConstants.SIZEOF_SIGACTION)) {
            action.clear();
            // sa_handler first; sa_mask empty; sa_flags 0 (no SA_RESTART)
            action.setPointer(0, handler);
            if (NotifyCalls.sigaction(SIGURG, action, Pointer.NULL) != 0) {
                throw new IllegalStateException("sigaction(SIGURG) failed: errno " + com.sun.jna.Native.getLastError());
            }
        }
    }

    /** Sends SIGURG to thread {@code tid} of this process; a thread already gone is no error. */
    static void thread(int tid) {
        NotifyCalls.syscall(LinuxConstants.SYS_tgkill, ProcessHandle.current().pid(), tid, SIGURG, 0, 0, 0);
    }
}
