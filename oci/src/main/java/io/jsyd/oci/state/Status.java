package io.jsyd.oci.state;

import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The OCI statuses, derived from the init process, the exec fifo and the freezer. */
public enum Status {
    CREATING, CREATED, RUNNING, PAUSED, STOPPED;

    /** The word the OCI state and runc print. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The init is alive when its pid has the start time we saw at create and is no
     * zombie (a dead init waits for its parent to reap it: it is stopped already).
     * While the exec fifo exists, `start` has not opened it yet.
     */
    public static Status of(ContainerRecord r, Path dir, CgroupManager cgroup) {
        // create wrote its record before the init existed: it is still at work, or was killed
        if (r.pid() == 0) {
            return CREATING;
        }
        if (!initAlive(r)) {
            return STOPPED;
        }
        // runc's order: a frozen container is paused, even one that never started
        if (cgroup != null && cgroup.freezerState() == CgroupManager.FreezerState.FROZEN) {
            return PAUSED;
        }
        if (Files.exists(dir.resolve(StateStore.EXEC_FIFO))) {
            return CREATED;
        }
        return RUNNING;
    }

    public static boolean initAlive(ContainerRecord r) {
        if (r.pid() <= 0) {
            return false;
        }
        Processes.StatLine s = Processes.stat(r.pid());
        return s != null && s.startTime() == r.initStartTime() && s.state() != 'Z' && s.state() != 'X';
    }
}
