package io.jsyd.oci.lifecycle;

import io.jsyd.hooks.HookFailedException;
import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.convert.HookConverter;
import io.jsyd.oci.spec.model.State;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.FileLock;
import io.jsyd.runtime.linux.Processes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * `delete`: a stopped or created container goes (a created one's init is killed);
 * a running or paused one only with --force, killed first. The cgroup, the mounts
 * made in the runtime's mount namespace (a container without one of its own) and the
 * state directory are removed. Then the poststop hooks create recorded run.
 */
public final class Delete {
    /** How long the killed init may take to die before we give up. */
    private static final long DEATH_WAIT_MILLIS = 10_000;

    private Delete() {
    }

    /**
     * @param warnings where poststop failures go: they are warnings, the delete still
     *                 succeeds (runtime.md lifecycle step 13)
     */
    public static void delete(Path root, String id, boolean force, PrintStream warnings) throws OciException {
        StateStore store = new StateStore(root);
        ContainerRecord r = deleteLocked(store, id, force);
        if (r == null || r.hooks() == null) {
            return;
        }
        // after the container is deleted, from the hooks create kept (the bundle may have changed)
        HookState state = HookState.of(r);
        for (HookFailedException w : HookConverter.convert(r.hooks(), Path.of(r.bundle()))
                .poststop(state.json(State.Status.STOPPED, 0))) {
            warnings.println("jsyd-oci: warning: container " + id + ": " + w.getMessage());
        }
    }

    /** Deletes the container; returns its record (null when there was none: a create killed early). */
    private static ContainerRecord deleteLocked(StateStore store, String id, boolean force) throws OciException {
        Path dir = store.dir(id);
        if (!Files.isDirectory(dir)) {
            if (force) {
                return null;
            }
            throw ContainerStateException.notExist(id);
        }
        try (FileLock lock = store.lock(id)) {
            ContainerRecord r;
            try {
                r = store.read(id);
            } catch (ContainerStateException gone) {
                // a create that never finished (killed half-way): its directory is all we know of
                removeDir(dir);
                if (force) {
                    return null;
                }
                throw gone;
            }
            CgroupManager cgroup = StateStore.cgroup(r);
            Status status = Status.of(r, dir, cgroup);
            if ((status == Status.RUNNING || status == Status.PAUSED) && !force) {
                throw new ContainerStateException("cannot delete container " + id + " that is not stopped: "
                        + status.word());
            }
            if (status != Status.STOPPED && status != Status.CREATING) {
                Processes.signalIfAlive(r.pid(), 9);
                if (status == Status.PAUSED && cgroup != null) {
                    // a frozen process cannot die
                    cgroup.thaw();
                }
                awaitDeath(r);
            }
            if (cgroup != null) {
                // stragglers of a container without its own pid namespace die here
                cgroup.destroy();
            }
            // the mounts create made in the runtime's mount namespace (a container without its own)
            Create.detachMounts(r.rootfs(), r.runtimeNsMountBase());
            removeDir(dir);
            return r;
        }
    }

    /** The init is not our child: we watch it go (a zombie counts as gone). */
    static void awaitDeath(ContainerRecord r) throws ContainerStateException {
        long deadline = System.nanoTime() + DEATH_WAIT_MILLIS * 1_000_000;
        while (Status.initAlive(r)) {
            if (System.nanoTime() > deadline) {
                throw new ContainerStateException("container " + r.id() + " init " + r.pid() + " did not die on SIGKILL");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerStateException("interrupted while waiting for container " + r.id() + " to die");
            }
        }
    }

    static void removeDir(Path dir) throws OciIoException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new OciIoException("remove state directory", dir, e);
        }
    }
}
