package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.FileLock;
import java.nio.file.Path;
import java.time.Duration;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * `events`: with --stats one statistics event (runc's JSON line); otherwise, until
 * the container stops, a statistics event every interval and an
 * {"type":"oom","id":...} event as soon as the kernel reports an OOM in the
 * container's cgroup (v1: eventfd on memory.oom_control, v2: memory.events).
 * One thread waits on the OOM source with the time left to the next tick as its
 * timeout, so the two kinds of event never interleave within a line.
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
            print(request, StatsJson.event(id, cgroup.stats()));
            return;
        }
        // runc fails too when it cannot watch for OOM (its NotifyOOM error ends `events`)
        // the sandbox's decisions and the supervisor's endings stream alongside the statistics
        try (io.jsyd.oci.supervise.SandboxEvents sandbox = io.jsyd.oci.supervise.SandboxEvents.follow(store.dir(id),
                id, request.out());
             CgroupManager.OomWatch oom = cgroup.watchOom()) {
            stream(request, id, r, cgroup, oom, interval.toMillis());
        }
    }

    private static void stream(Request request, String id, ContainerRecord r, CgroupManager cgroup,
                               CgroupManager.OomWatch oom, long intervalMillis) {
        long next = System.nanoTime();
        while (true) {
            long left = (next - System.nanoTime()) / 1_000_000L;
            if (left > 0) {
                if (oom.await(left)) {
                    print(request, oomEvent(id));
                } else if (System.nanoTime() < next) {
                    // woken early without an OOM: the cgroup went away, with the container
                    if (!Status.initAlive(r)) {
                        return;
                    }
                    sleep((next - System.nanoTime()) / 1_000_000L);
                }
                continue;
            }
            next += intervalMillis * 1_000_000L;
            if (!Status.initAlive(r)) {
                // the OOM that killed the init may still be on its way: report it before leaving
                if (oom.await(100)) {
                    print(request, oomEvent(id));
                }
                return;
            }
            try {
                print(request, StatsJson.event(id, cgroup.stats()));
            } catch (CgroupException e) {
                // the container went away between the check and the read
                if (Status.initAlive(r)) {
                    throw e;
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ObjectNode oomEvent(String id) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("type", "oom");
        e.put("id", id);
        return e;
    }

    private static void print(Request request, ObjectNode event) {
        request.out().println(SpecJson.compact(event));
        request.out().flush();
    }
}
