package io.jsyd.runtime.spawn;

import io.jsyd.runtime.linux.Fd;
import java.util.List;
import java.util.Optional;

/**
 * A container init that the stub set up: its host pid, and the fds it handed over
 * (seccomp listeners, the terminal's master) in the order the plan made them, each
 * with the op that made it, and the plan it ran (a failure reported after the
 * launch, through the exec fifo, names its op by index); {@code notes} are what
 * best-effort ops skipped (a Landlock path missing in the container), each naming
 * the op's origin.
 */
public record Launched(int initPid, List<Fd> fds, List<OpCode> fdSources, Plan plan, List<String> notes) {
    public Launched {
        fds = List.copyOf(fds);
        fdSources = List.copyOf(fdSources);
        notes = List.copyOf(notes);
        if (fds.size() != fdSources.size()) {
            throw new IllegalArgumentException(fds.size() + " fds but " + fdSources.size() + " sources");
        }
    }

    /** The first fd that an op of this kind handed over. */
    public Optional<Fd> fdFrom(OpCode source) {
        int i = fdSources.indexOf(source);
        return i < 0 ? Optional.empty() : Optional.of(fds.get(i));
    }
}
