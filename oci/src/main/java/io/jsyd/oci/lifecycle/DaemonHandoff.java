package io.jsyd.oci.lifecycle;

import io.jsyd.oci.supervise.Handoff;
import io.jsyd.oci.supervise.SupervisorClient;
import io.jsyd.oci.supervise.SupervisorPaths;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Pidfd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyWire;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A policy that needs live supervision (a ptrace check, a confined category, a
 * timeout) goes to the supervisor daemon of the --root, for a container's init
 * (`create`) or for a process `exec` starts in a container: with a ptrace check
 * when the process waits at its TRACE sync point (the daemon seizes it before we
 * ack), the listener as soon as the process sends it (its next calls wait for the
 * daemon's answers), or, with a timeout alone, once the init waits for `start`.
 * The process stays our child, so its pid cannot be reused while we open its pidfd.
 */
final class DaemonHandoff implements AutoCloseable {
    private final SupervisorPaths paths;
    private final String id;
    private final Path stateDir;
    private final Optional<Policy> policy;
    private final Map<String, String> cgroupDirs;
    private final boolean exec;
    private SupervisorClient.Connection connection;
    private boolean done;

    /**
     * @param cgroupDirs the container's cgroup per hierarchy, as the state record keeps them
     * @param exec       whether the process is one `exec` started rather than the container's init
     */
    DaemonHandoff(Path root, String id, Path stateDir, Optional<Policy> policy, Map<String, String> cgroupDirs,
                  boolean exec) {
        this.paths = new SupervisorPaths(root);
        this.id = id;
        this.stateDir = stateDir;
        this.policy = policy;
        this.cgroupDirs = Map.copyOf(cgroupDirs);
        this.exec = exec;
    }

    boolean needed() {
        return confines() || traces() || !exec && policy.isPresent() && policy.get().timeout().isPresent();
    }

    private boolean confines() {
        return policy.isPresent() && !policy.get().sandboxed().isEmpty();
    }

    private boolean traces() {
        return policy.isPresent() && policy.get().trace().needsTracer();
    }

    /** The TRACE sync point: returns once the daemon has seized the process. */
    void trace(int pid) {
        if (!traces() || connection != null) {
            throw new IllegalStateException("the process waits to be traced without a policy that traces");
        }
        connection = open(pid, true);
        if (!confines()) {
            finish();
        }
    }

    /** The supervisor filter's listener, as the launcher gives it. */
    void handOff(Fd listener, int pid) {
        if (!confines()) {
            throw new IllegalStateException("a supervisor listener without a policy");
        }
        if (connection == null) {
            if (traces()) {
                throw new IllegalStateException("the process sent its listener before it was traced");
            }
            connection = open(pid, false);
        }
        connection.sendListener(listener);
        finish();
    }

    /** After the launch: a policy with a timeout alone is handed over now; any other must be by now. */
    void handOffIfStill(int pid) {
        if (needed() && !done) {
            if (confines() || traces()) {
                // never run a confining policy without its listener or its tracer: nothing would confine
                throw new IllegalStateException("the process " + pid
                        + " loaded no supervisor filter or was never traced before it ran");
            }
            connection = open(pid, false);
            finish();
        }
    }

    private void finish() {
        try (SupervisorClient.Connection c = connection) {
            c.finish();
        }
        connection = null;
        done = true;
    }

    private SupervisorClient.Connection open(int pid, boolean trace) {
        Processes.StatLine stat = Processes.stat(pid);
        if (stat == null) {
            throw new IllegalStateException("process " + pid + " of container " + id + " is gone before its hand-off");
        }
        PolicyWire.Encoded wire = PolicyWire.encode(policy.orElseThrow());
        Handoff h = new Handoff(id, stateDir.toAbsolutePath().toString(), pid, stat.startTime(), wire.text(),
                wire.ruleOrigins(), wire.lockedAt().orElse(null), cgroupDirs, confines(), trace, exec);
        try (Pidfd process = Pidfd.open(pid)) {
            return SupervisorClient.Connection.open(paths, h, process);
        } catch (IOException e) {
            throw new IllegalStateException("hand container " + id + " to its supervisor: " + e.getMessage(), e);
        }
    }

    /** A launch that failed half-way: the daemon is told so (it kills what it seized). */
    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
