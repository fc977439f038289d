package io.jsyd.runtime.spawn;

import io.jsyd.runtime.linux.Fd;

/**
 * The stdin, stdout and stderr a container process gets instead of its launcher's
 * own fds 0-2: a host that runs many containers in one process (the containerd
 * shim) gives each its own (fifos, pipes, /dev/null). The launcher keeps
 * ownership; the process gets copies.
 */
public record Stdio(Fd in, Fd out, Fd err) {
    public Stdio {
        if (in == null || out == null || err == null) {
            throw new IllegalArgumentException("stdio takes all three fds");
        }
    }
}
