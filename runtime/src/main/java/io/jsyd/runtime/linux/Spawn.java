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
        return spawn(path, argv, env, keepBelow, moves, false, null);
    }

    /**
     * As {@link #spawn(String, List, List, int, List)}; with {@code newGroup} the child
     * leads a process group of its own (pgid = its pid), so that it and whatever it
     * forks can be signalled at once with {@code kill(-pid, sig)}. A non-null
     * {@code dir} is the child's working directory (a relative {@code path} resolves
     * against it, as after chdir).
     */
    public static int spawn(String path, List<String> argv, List<String> env, int keepBelow, List<FdMove> moves,
                            boolean newGroup, String dir) {
        return spawn(path, argv, env, keepBelow, moves, newGroup ? LinuxConstants.POSIX_SPAWN_SETPGROUP : 0, dir);
    }

    /**
     * A child in a session of its own (setsid): no terminal, no process group of
     * ours, so neither a caller's job control nor a signal to our group reaches it.
     * It starts in "/", so it keeps no caller's directory (a bundle, a mount) busy.
     * What a daemon started on demand needs; {@code moves} give it fds 0, 1, 2 and more.
     */
    public static int spawnSession(String path, List<String> argv, List<String> env, List<FdMove> moves) {
        return spawn(path, argv, env, 0, moves, LinuxConstants.POSIX_SPAWN_SETSID, "/");
    }

    private static int spawn(String path, List<String> argv, List<String> env, int keepBelow, List<FdMove> moves,
                             long attrFlags, String dir) {
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
                if (dir != null) {
                    Sys.checkErrorNumber(Sys.C.posix_spawn_file_actions_addchdir_np(actions, dir),
                            "posix_spawn_file_actions_addchdir_np", dir);
                }
                IntByReference pid = new IntByReference();
                if (attrFlags == 0) {
                    Sys.checkErrorNumber(Sys.C.posix_spawn(pid, path, actions, null,
                            argv.toArray(String[]::new), env.toArray(String[]::new)), "posix_spawn", path);
                    return pid.getValue();
                }
                try (Memory attr = new Memory(LinuxConstants.SIZEOF_POSIX_SPAWNATTR)) {
                    Sys.checkErrorNumber(Sys.C.posix_spawnattr_init(attr), "posix_spawnattr_init", path);
                    try {
                        Sys.checkErrorNumber(Sys.C.posix_spawnattr_setflags(attr, (short) attrFlags),
                                "posix_spawnattr_setflags", path);
                        if (attrFlags == LinuxConstants.POSIX_SPAWN_SETPGROUP) {
                            Sys.checkErrorNumber(Sys.C.posix_spawnattr_setpgroup(attr, 0), "posix_spawnattr_setpgroup",
                                    path);
                        }
                        Sys.checkErrorNumber(Sys.C.posix_spawn(pid, path, actions, attr,
                                argv.toArray(String[]::new), env.toArray(String[]::new)), "posix_spawn", path);
                        return pid.getValue();
                    } finally {
                        Sys.C.posix_spawnattr_destroy(attr);
                    }
                }
            } finally {
                Sys.C.posix_spawn_file_actions_destroy(actions);
            }
        }
    }
}
