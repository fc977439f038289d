package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.FileLock;
import java.nio.file.Path;
import java.time.Duration;

/**
 * `events`: with --stats one statistics event (runc's JSON line); otherwise one
 * every interval until the container stops. OOM events are not streamed yet.
 */
public final class Events {
    private Events() {
    }

    public static void events(Request request, Path root, String id, boolean once, Duration interval)
            throws OciException {
        StateStore store = new StateStore(root);
        ContainerRecord r;
        CgroupManager cgroup;
        try (FileLock lock = store.lock(id)) {
            r = store.read(id);
            cgroup = StateStore.cgroup(r);
            if (Status.of(r, store.dir(id), cgroup) == Status.STOPPED) {
                throw new ContainerStateException("container " + id + " is not running");
            }
        }
        if (cgroup == null) {
            throw new ContainerStateException("container " + id + " has no cgroup to read statistics from");
        }
        if (once) {
            request.out().println(SpecJson.compact(StatsJson.event(id, cgroup.stats())));
            request.out().flush();
            return;
        }
        // the sandbox's decisions and the supervisor's endings stream alongside the statistics
        try (io.jsyd.oci.supervise.SandboxEvents sandbox = io.jsyd.oci.supervise.SandboxEvents.follow(store.dir(id), id,
                request.out())) {
            stream(request, r, id, cgroup, interval);
        }
    }

    private static void stream(Request request, ContainerRecord r, String id, CgroupManager cgroup, Duration interval) {
        while (true) {
            request.out().println(SpecJson.compact(StatsJson.event(id, cgroup.stats())));
            request.out().flush();
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!Status.initAlive(r)) {
                return;
            }
        }
    }
}
