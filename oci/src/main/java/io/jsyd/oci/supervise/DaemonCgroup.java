package io.jsyd.oci.supervise;

import io.jsyd.runtime.cgroup.CgroupConfig;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.CgroupPath;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.cgroup.Resources;
import java.util.Optional;

/**
 * The supervisor daemon's own cgroup, {@value #PATH} below the top of every
 * hierarchy (each v1 one and the cgroup2, hybrid or pure v2). Started on demand, the
 * daemon first sits in its caller's cgroups: conmon's, which podman removes once
 * the container is gone, containerd's shim's, a pod's, whose limits should not count
 * the daemon (or the watchdog it starts, which follows it there). Its own cgroup
 * rather than the top (where the command server goes): the top is everyone's, where
 * nothing can be measured or limited and where a cgroup2 managed by systemd keeps
 * only system processes; a leaf directly below it can be watched (`systemd-cgtop`,
 * memory.current) and limited by an administrator, and, being a leaf, obeys
 * cgroup2's no-internal-processes rule. Every --root's daemon shares it. It is made
 * like a container's cgroup (v1 cpuset: cpus and mems copied down) and never removed:
 * another daemon may be in it, and an empty one costs nothing.
 */
final class DaemonCgroup {
    static final String PATH = "/jsyd-oci-supervisor";

    private DaemonCgroup() {
    }

    /** Moves {@code pid} there; what failed (the daemon then stays in its caller's cgroups), or empty. */
    static Optional<String> enter(int pid) {
        try {
            CgroupManager m = Cgroups.manager(new CgroupConfig(new CgroupPath.Absolute(PATH), Resources.NONE));
            m.create();
            m.join(pid);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }
}
