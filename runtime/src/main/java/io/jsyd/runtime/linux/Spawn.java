package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;
import java.util.List;

/**
 * posix_spawn(3): the JVM cannot fork, so a child is made with vfork+exec semantics.
 * The child keeps fds 0..{@code keepBelow-1} as the parent has them, gets
 * {@code moves} dup2'ed to their target numbers, and every other fd closed.
 */
public final class Spawn {
    private Spawn() {
    }

    /** Puts the parent's {@code source} at {@code target} in the child. */
    public record FdMove(Fd source, int target) {
    }

    public static int spawn(String path, List<String> argv, List<String> env, int keepBelow, List<FdMove> moves) {
        int closeFrom = keepBelow;
        for (FdMove m : moves) {
            if (m.target() < keepBelow) {
                throw new IllegalArgumentException("fd " + m.target() + " is kept from the parent");
            }
            closeFrom = Math.max(closeFrom, m.target() + 1);
        }
        try (Memory actions = new Memory(LinuxConstants.SIZEOF_POSIX_SPAWN_FILE_ACTIONS)) {
            Sys.checkErrorNumber(Sys.C.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init", path);
            try {
                for (FdMove m : moves) {
                    // a source already sitting at its target would keep CLOEXEC through dup2
                    if (m.source().get() == m.target()) {
                        throw new IllegalArgumentException("fd " + m.target() + " must be moved from another number");
                    }
                    Sys.checkErrorNumber(Sys.C.posix_spawn_file_actions_adddup2(actions, m.source().get(), m.target()),
                            "posix_spawn_file_actions_adddup2", path);
                }
                Sys.checkErrorNumber(Sys.C.posix_spawn_file_actions_addclosefrom_np(actions, closeFrom),
                        "posix_spawn_file_actions_addclosefrom_np", path);
                IntByReference pid = new IntByReference();
                Sys.checkErrorNumber(Sys.C.posix_spawn(pid, path, actions, null,
                        argv.toArray(String[]::new), env.toArray(String[]::new)), "posix_spawn", path);
                return pid.getValue();
            } finally {
                Sys.C.posix_spawn_file_actions_destroy(actions);
            }
        }
    }
}
