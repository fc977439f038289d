package io.jsyd.oci.supervise;

import java.nio.file.Path;

/**
 * Where the supervisor daemon of one --root keeps its things, and the files it
 * writes in a container's state directory. The daemon's directory is named
 * {@value #DIR}: '@' is no character of a container id, so no container can
 * claim it, and `list` skips it (it has no state.json).
 */
public record SupervisorPaths(Path root) {
    public static final String DIR = "@supervisor";

    /** The container's decision log: one JSON line per decision that is not a silent allow. */
    public static final String SANDBOX_LOG = "sandbox.log";

    /** The effective policy as `policy show` prints it. */
    public static final String POLICY = "policy.jsyd";

    /** Written by the daemon while it supervises the container: what its watchdog kills if the daemon dies. */
    public static final String MARKER = "supervised.json";

    /** Why the supervisor ended the container (timeout, exit action, the daemon's death). */
    public static final String STOPPED = "stopped.json";

    public Path dir() {
        return root.resolve(DIR);
    }

    public Path socket() {
        return dir().resolve("daemon.sock");
    }

    /** Held by a client while it finds or starts the daemon and hands a container over, and by a daemon that exits. */
    public Path lock() {
        return dir().resolve("daemon.lock");
    }

    /** The daemon's and the watchdog's stdout and stderr. */
    public Path log() {
        return dir().resolve("daemon.log");
    }

    /** The running daemon's pid, for administrators and tests. */
    public Path pidFile() {
        return dir().resolve("daemon.pid");
    }

    public Path stateDir(String id) {
        return root.resolve(id);
    }
}
