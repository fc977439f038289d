package io.jsyd.runtime.spawn;

import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.Spawn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The process that starts the init stub and reaps it, and so the parent of the
 * container init (which the stub clones with CLONE_PARENT). Normally this
 * process. When the resident command server runs `create` for a client, it is
 * the client: the container must be its caller's child, exactly as when the
 * client runs the command in a JVM of its own, and its caller's subreaper must
 * inherit it. The server binds {@link #CURRENT} for the request; everything that
 * starts or reaps the stub or the init asks {@link #current()}.
 */
public interface ProcessParent {
    /** Bound by the command server for one request; unbound means this process. */
    ScopedValue<ProcessParent> CURRENT = ScopedValue.newInstance();

    static ProcessParent current() {
        return CURRENT.orElse(ThisProcess.INSTANCE);
    }

    /**
     * Starts the stub with {@code argv}, fds 0..keepBelow-1 of the parent as they
     * are, {@code moves} at their targets and every other fd closed; returns its pid.
     */
    int spawnStub(InitStub stub, List<String> argv, int keepBelow, List<Spawn.FdMove> moves);

    /** Blocks until {@code pid}, a child of this parent, ends. */
    Processes.WaitStatus waitFor(int pid);

    /**
     * The parent's cgroups, as its /proc/PID/cgroup lists them: a relative
     * cgroupsPath is placed below the cgroup of the runtime its caller ran (runc
     * places it below its own), and that is the parent, not the server.
     */
    List<String> cgroupLines();

    /** This process, through posix_spawn and waitpid. */
    enum ThisProcess implements ProcessParent {
        INSTANCE;

        @Override
        public int spawnStub(InitStub stub, List<String> argv, int keepBelow, List<Spawn.FdMove> moves) {
            return Spawn.spawn(stub.execPath(), argv, List.of(), keepBelow, moves);
        }

        @Override
        public Processes.WaitStatus waitFor(int pid) {
            return Processes.waitFor(pid);
        }

        @Override
        public List<String> cgroupLines() {
            try {
                return Files.readAllLines(Path.of("/proc/self/cgroup"));
            } catch (IOException e) {
                throw new UncheckedIOException("reading /proc/self/cgroup", e);
            }
        }
    }
}
