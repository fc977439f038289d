package io.jsyd.oci.state;

import io.jsyd.oci.spec.model.Hooks;
import io.jsyd.oci.spec.model.LinuxResources;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What state.json keeps of a container: the OCI state's lasting part plus what later
 * commands need. The status is never stored; {@link Status#of} derives it live.
 *
 * @param initStartTime the init's start time (/proc/PID/stat field 22): with it a
 *                      reused pid is never taken for the container
 * @param cgroupPaths   the cgroup's directory per hierarchy ("" for v2), as the
 *                      creating process placed it
 * @param created       RFC 3339 with nanoseconds, as runc writes it
 * @param resources     linux.resources as last set (by the config, then by each
 *                      `update`), which `update` merges its change over; null: none
 * @param hooks         the config's poststart and poststop hooks as `create` read them:
 *                      `start` and `delete` run these, never a bundle that may have
 *                      changed since (runtime.md: updates after create MUST NOT
 *                      affect the container; runc keeps its config the same way);
 *                      null: none. The other kinds ran at create or are in the init's plan.
 * @param afterStart    what the ops the init runs after `start` opened the exec fifo
 *                      were built from, by op index (a startContainer hook, say): a
 *                      failure there reaches `start` through the fifo as an op index
 * @param noNewKeyring  created with --no-new-keyring: an exec'd process keeps its
 *                      caller's session keyring too (else it joins the container's)
 * @param runtimeNsMountBase null when the container has a mount namespace of its own;
 *                      else its mounts were made in the runtime's, stacked on the
 *                      rootfs above the mount with this id, which `delete` detaches
 *                      (RuntimeNsMounts)
 */
public record ContainerRecord(String ociVersion, String id, int pid, long initStartTime, String bundle,
                              String rootfs, String created, String owner, Map<String, String> annotations,
                              Map<String, String> cgroupPaths, LinuxResources resources, Hooks hooks,
                              Map<String, String> afterStart, boolean noNewKeyring, Long runtimeNsMountBase) {
    public ContainerRecord {
        annotations = annotations == null ? Map.of() : new LinkedHashMap<>(annotations);
        cgroupPaths = cgroupPaths == null ? Map.of() : new LinkedHashMap<>(cgroupPaths);
        afterStart = afterStart == null ? Map.of() : new LinkedHashMap<>(afterStart);
    }

    /** The same record with {@code resources} in place of its own. */
    public ContainerRecord withResources(LinuxResources newResources) {
        return new ContainerRecord(ociVersion, id, pid, initStartTime, bundle, rootfs, created, owner, annotations,
                cgroupPaths, newResources, hooks, afterStart, noNewKeyring, runtimeNsMountBase);
    }

    public Map<String, Path> cgroupDirs() {
        Map<String, Path> m = new LinkedHashMap<>();
        cgroupPaths.forEach((k, v) -> m.put(k, Path.of(v)));
        return m;
    }
}
