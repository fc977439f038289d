package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Path;

/** `kill`: a signal to the init, or with --all to every process of the container's cgroup. */
public final class Kill {
    private Kill() {
    }

    public static void kill(Path root, String id, String signal, boolean all) throws OciException {
        int sig = Signals.parse(signal);
        StateStore store = new StateStore(root);
        try (FileLock lock = store.lock(id)) {
            ContainerRecord r = store.read(id);
            CgroupManager cgroup = StateStore.cgroup(r);
            if (all && cgroup != null) {
                cgroup.signalAll(sig);
                return;
            }
            // the start time check is what keeps a reused pid from being signalled
            if (Status.of(r, store.dir(id), cgroup) == Status.STOPPED || !Processes.signalIfAlive(r.pid(), sig)) {
                throw new ContainerStateException("container not running");
            }
        }
    }
}
