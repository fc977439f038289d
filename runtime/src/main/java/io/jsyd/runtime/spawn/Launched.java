package io.jsyd.runtime.spawn;

import io.jsyd.runtime.linux.Fd;
import java.util.List;

/**
 * A container init that the stub set up: its host pid, and the fds it handed over
 * (seccomp listeners) in the order the plan made them.
 */
public record Launched(int initPid, List<Fd> fds) {
    public Launched {
        fds = List.copyOf(fds);
    }
}
