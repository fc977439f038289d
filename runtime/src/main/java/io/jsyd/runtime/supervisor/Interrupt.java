package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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
        try (Arena arena = Arena.ofConfined()) {
            NotifyCalls calls = new NotifyCalls(arena);
            // sa_handler first; sa_mask empty; sa_flags 0 (no SA_RESTART)
            MemorySegment action = arena.allocate(LinuxConstants.SIZEOF_SIGACTION, 8);
            action.set(ValueLayout.ADDRESS, 0, NotifyCalls.function("abs"));
            if (calls.sigaction(SIGURG, action, MemorySegment.NULL) != 0) {
                throw new IllegalStateException("sigaction(SIGURG) failed: errno " + calls.errno());
            }
        }
    }

    /** Sends SIGURG to thread {@code tid} of this process; a thread already gone is no error. */
    static void thread(NotifyCalls calls, int tid) {
        calls.syscall(LinuxConstants.SYS_tgkill, ProcessHandle.current().pid(), tid, SIGURG, 0, 0, 0);
    }
}
