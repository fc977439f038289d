package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.FileLock;
import java.nio.file.Path;

/** `pause` and `resume` through the cgroup freezer. */
public final class Pause {
    private Pause() {
    }

    public static void pause(Path root, String id, boolean pause) throws OciException {
        StateStore store = new StateStore(root);
        try (FileLock lock = store.lock(id)) {
            ContainerRecord r = store.read(id);
            CgroupManager cgroup = StateStore.cgroup(r);
            Status status = Status.of(r, store.dir(id), cgroup);
            if (pause) {
                if (status != Status.RUNNING && status != Status.CREATED) {
                    throw new ContainerStateException("container not running");
                }
                if (cgroup == null) {
                    throw new ContainerStateException("container " + id + " has no cgroup to freeze");
                }
                cgroup.freeze();
            } else {
                if (status != Status.PAUSED) {
                    throw new ContainerStateException("container not paused");
                }
                cgroup.thaw();
            }
        }
    }
}
